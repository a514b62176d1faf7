import { hashFormats } from "../schema/formats.ts";
import { parsePropertyString } from "../schema/validate.ts";
import { fail } from "../server/errors.ts";
import { bool, str } from "../server/router.ts";
import { pruneMark } from "../storage/prune.ts";
import { avail, type Storage, type Volume, volumePath } from "../storage/storage.ts";
import { backupStamp, guestDisks, removeBackup } from "../storage/volumes.ts";
import type { WorkerCtx } from "../tasks/tasks.ts";
import type { World } from "../world.ts";
import type { Guest } from "./guest.ts";
import { clearLock } from "./lifecycle.ts";
import { rootDiskSize } from "./metrics.ts";
import { snapshotFeature } from "./snapshots.ts";

/** vzdump's `{{…}}` notes template, as PVE::VZDump::Common expands it. */
function notes(template: string, g: Guest, world: World): string {
  return template
    .replace(/\{\{guestname\}\}/g, g.config.hostname ?? g.config.name ?? String(g.vmid))
    .replace(/\{\{vmid\}\}/g, String(g.vmid))
    .replace(/\{\{node\}\}/g, world.node)
    .replace(/\{\{cluster\}\}/g, world.node)
    .replace(/\\n/g, "\n");
}

const EXT: Record<string, string> = { "0": "", "1": ".lzo", gzip: ".gz", lzo: ".lzo", zstd: ".zst" };

/** The archive name vzdump picks: a file on directory storages, a snapshot on PBS. */
function archiveName(s: Storage, g: Guest, compress: string, at: Date): { volname: string; format: string } {
  if (s.type === "pbs") {
    // PBSPlugin::print_volid: backup/<ct|vm>/<vmid>/<UTC time %FT%TZ>.
    const kind = g.kind === "lxc" ? "ct" : "vm";
    const iso = `${at.toISOString().slice(0, 19)}Z`;
    return { volname: `backup/${kind}/${g.vmid}/${iso}`, format: `pbs-${kind}` };
  }
  const base = g.kind === "lxc" ? "tar" : "vma";
  const format = `${base}${EXT[compress] ?? ""}`;
  return { volname: `backup/vzdump-${g.kind}-${g.vmid}-${backupStamp(at)}.${format}`, format };
}

const stamp = (d: Date): string => d.toISOString().replace("T", " ").slice(0, 19);

/** The prune that follows a backup when `prune-backups` (or the storage's retention) says so. */
function pruneAfter(w: WorkerCtx, s: Storage, g: Guest, params: Record<string, unknown>): void {
  const prune = str(params, "prune-backups");
  if (!prune || (params.remove !== undefined && !bool(params, "remove"))) return;
  const opts = parsePropertyString(hashFormats["prune-backups"]!, prune);
  const group = [...s.volumes.values()].filter(
    (v) => v.content === "backup" && v.vmid === g.vmid && v.subtype === g.kind,
  );
  w.log(`INFO: prune older backups with retention: ${prune}`);
  let removed = 0;
  for (const m of pruneMark(group, opts)) {
    if (m.mark !== "remove") continue;
    w.log(`INFO: removing backup '${m.volid}'`);
    removeBackup(s, m.volid);
    removed++;
  }
  w.log(`INFO: pruned ${removed} backup(s)${removed ? "" : " not covered by keep-retention policy"}`);
}

/** One guest of a vzdump job: `lock: backup`, the archive, notes, protection and prune. */
export async function backupOne(
  world: World,
  w: WorkerCtx,
  g: Guest,
  params: Record<string, unknown>,
): Promise<void> {
  const storeid = str(params, "storage") ?? "local";
  const s = world.storage(storeid);
  let mode = str(params, "mode") ?? "snapshot";
  const kind = g.kind;
  await world.locks.with(g.vmid, kind, world.lockTimeout(), () => {
    world.checkLock(g);
    g.config.lock = "backup";
  });
  try {
    // Injected faults hit while the guest carries `lock: backup`, as real failures do.
    await w.faultPoint();
    const started = new Date();
    w.log(`INFO: Starting Backup of VM ${g.vmid} (${kind})`);
    w.log(`INFO: Backup started at ${stamp(started)}`);
    w.log(`INFO: status = ${g.status}`);
    if (kind === "lxc") {
      w.log(`INFO: CT Name: ${g.config.hostname ?? `CT${g.vmid}`}`);
      w.log("INFO: including mount point rootfs ('/') in backup");
      // PVE::VZDump::LXC: snapshot mode needs snapshot-capable volumes, else suspend mode.
      if (mode === "snapshot" && !snapshotFeature(world, g)) {
        w.log("INFO: mode failure - some volumes do not support snapshots");
        w.log("INFO: trying 'suspend' mode instead");
        mode = "suspend";
      }
    } else w.log(`INFO: VM Name: ${g.config.name ?? `VM${g.vmid}`}`);
    w.log(`INFO: backup mode: ${mode}`);
    w.log("INFO: ionice priority: 7");
    let at = new Date();
    const compress = str(params, "compress") ?? "0";
    while (s.volumes.has(`${storeid}:${archiveName(s, g, compress, at).volname}`))
      at = new Date(at.getTime() + 1000);
    const { volname, format } = archiveName(s, g, compress, at);
    const target = volumePath(s, volname);
    if (s.type === "pbs") w.log(`INFO: creating Proxmox Backup Server archive '${target}'`);
    else w.log(`INFO: creating vzdump archive '${target}'`);
    await w.sleep(world.clock.pick(10_000, 60_000, g.vmid));
    const used =
      kind === "lxc"
        ? Math.floor(rootDiskSize(g) * 0.18)
        : Math.floor(guestDisks(world, g.vmid).reduce((n, v) => n + v.size, 0) * 0.05);
    const size = Math.max(2 ** 20, Math.floor(used * 0.4));
    // Checked when the archive is written, so a storage that fills up meanwhile fails the backup;
    // vzdump removes its partial file, so nothing is listed afterwards.
    if (size > avail(s)) {
      if (s.type === "pbs")
        throw fail(
          "upload failed: write_data upload error: pipelined request failed: No space left on device (os error 28)",
        );
      throw fail(`vzdump archive '${target}' failed: write error: No space left on device`);
    }
    w.log(`INFO: Total bytes written: ${used} (${(used / 2 ** 30).toFixed(1)}GiB, 150MiB/s)`);
    w.log(`INFO: archive file size: ${Math.round(size / 2 ** 20)}MB`);
    const config = { ...g.config };
    delete config.lock;
    const vol: Volume = {
      volid: `${storeid}:${volname}`,
      content: "backup",
      size,
      format,
      ctime: Math.floor(at.getTime() / 1000),
      vmid: g.vmid,
      subtype: kind,
      notes: notes(str(params, "notes-template") ?? "{{guestname}}", g, world),
      protected: bool(params, "protected"),
      backupConfig: config,
    };
    world.hooks.onBackup?.(g, vol);
    s.volumes.set(vol.volid, vol);
    if (vol.protected) w.log("INFO: marking backup as protected");
    pruneAfter(w, s, g, params);
    const secs = Math.max(1, Math.round((Date.now() - started.getTime()) / 1000));
    w.log(`INFO: Finished Backup of VM ${g.vmid} (00:00:${String(Math.min(59, secs)).padStart(2, "0")})`);
  } finally {
    clearLock(g, "backup");
  }
}
