import { hashFormats, splitList } from "../schema/formats.ts";
import { parsePropertyString } from "../schema/validate.ts";
import { errorText, fail } from "../server/errors.ts";
import { bool, type Route, str } from "../server/router.ts";
import { pruneMark } from "../storage/prune.ts";
import { avail, volumePath } from "../storage/storage.ts";
import { backupStamp, guestDisks } from "../storage/volumes.ts";
import type { WorkerCtx } from "../tasks/tasks.ts";
import type { World } from "../world.ts";
import type { Guest } from "./guest.ts";
import { clearLock } from "./lifecycle.ts";
import { rootDiskSize } from "./metrics.ts";

function notes(template: string, g: Guest, world: World): string {
  return template
    .replace(/\{\{guestname\}\}/g, g.config.hostname ?? g.config.name ?? String(g.vmid))
    .replace(/\{\{vmid\}\}/g, String(g.vmid))
    .replace(/\{\{node\}\}/g, world.node)
    .replace(/\{\{cluster\}\}/g, world.node)
    .replace(/\\n/g, "\n");
}

async function backupOne(
  world: World,
  w: WorkerCtx,
  g: Guest,
  params: Record<string, unknown>,
): Promise<void> {
  const storeid = str(params, "storage") ?? "local";
  const s = world.storage(storeid);
  const mode = str(params, "mode") ?? "snapshot";
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
    w.log(`INFO: Backup started at ${started.toISOString().replace("T", " ").slice(0, 19)}`);
    w.log(`INFO: status = ${g.status}`);
    w.log(`INFO: backup mode: ${mode}`);
    if (kind === "lxc") w.log(`INFO: CT Name: ${g.config.hostname ?? `CT${g.vmid}`}`);
    else w.log(`INFO: VM Name: ${g.config.name ?? `VM${g.vmid}`}`);
    let stamp = new Date();
    const ext = kind === "lxc" ? "tar.zst" : "vma.zst";
    const name = (d: Date): string => `backup/vzdump-${kind}-${g.vmid}-${backupStamp(d)}.${ext}`;
    while (s.volumes.has(`${storeid}:${name(stamp)}`)) stamp = new Date(stamp.getTime() + 1000);
    const volname = name(stamp);
    const target = volumePath(s, volname);
    w.log(`INFO: creating vzdump archive '${target}'`);
    await w.sleep(world.clock.pick(10_000, 60_000, g.vmid));
    const used =
      kind === "lxc"
        ? Math.floor(rootDiskSize(g) * 0.18)
        : Math.floor(guestDisks(world, g.vmid).reduce((n, v) => n + v.size, 0) * 0.05);
    const size = Math.max(2 ** 20, Math.floor(used * 0.4));
    if (size > avail(s))
      throw fail(`vzdump archive '${target}' failed: write error: No space left on device`);
    w.log(`INFO: Total bytes written: ${used} (${(used / 2 ** 30).toFixed(1)}GiB, 150MiB/s)`);
    w.log(`INFO: archive file size: ${Math.round(size / 2 ** 20)}MB`);
    const config = { ...g.config };
    delete config.lock;
    s.volumes.set(`${storeid}:${volname}`, {
      volid: `${storeid}:${volname}`,
      content: "backup",
      size,
      format: ext,
      ctime: Math.floor(stamp.getTime() / 1000),
      vmid: g.vmid,
      subtype: kind,
      notes: notes(str(params, "notes-template") ?? "{{guestname}}", g, world),
      protected: bool(params, "protected"),
      backupConfig: config,
    });
    const prune = str(params, "prune-backups");
    if (prune && !bool(params, "protected")) {
      const opts = parsePropertyString(hashFormats["prune-backups"]!, prune);
      const list = [...s.volumes.values()].filter(
        (v) => v.content === "backup" && v.vmid === g.vmid && v.subtype === kind,
      );
      for (const m of pruneMark(list, opts)) {
        if (m.mark !== "remove") continue;
        w.log(`INFO: prune older backups with retention: ${prune}`);
        w.log(`INFO: removing backup '${m.volid}'`);
        s.volumes.delete(m.volid);
      }
    }
    w.log(`INFO: Finished Backup of VM ${g.vmid} (00:00:${String(Math.min(59, 12)).padStart(2, "0")})`);
  } finally {
    clearLock(g, "backup");
  }
}

/** POST /nodes/{node}/vzdump: one task over the listed guests; a failed guest makes `job errors`. */
export function vzdumpRoutes(): Route[] {
  return [
    {
      method: "POST",
      path: "/nodes/{node}/vzdump",
      async: true,
      handler: ({ world, params, who, fault }) => {
        const all = bool(params, "all");
        const ids = all
          ? [...world.guests.keys()].sort((a, b) => a - b)
          : splitList(str(params, "vmid") ?? "").map(Number);
        if (!ids.length) throw fail("no VMs selected");
        const storeid = str(params, "storage") ?? "local";
        const s = world.storage(storeid);
        if (!s.content.includes("backup")) throw fail(`storage '${storeid}' does not support backups`);
        world.auth.check(who, `/storage/${storeid}`, ["Datastore.AllocateSpace"]);
        for (const id of ids) world.auth.check(who, `/vms/${id}`, ["VM.Backup"]);
        const id = ids.length === 1 ? String(ids[0]) : "";
        return world.tasks.start(
          "vzdump",
          id,
          who.authid,
          fault ?? world.faults.takeForTask("vzdump", ids.length === 1 ? ids[0] : undefined),
          async (w) => {
            const argv =
              ids.join(" ") +
              Object.entries(params)
                .filter(([k]) => !["node", "vmid"].includes(k))
                .map(([k, v]) => ` --${k} ${String(v)}`)
                .join("");
            w.log(`INFO: starting new backup job: vzdump ${argv}`);
            let failed = 0;
            for (const vmid of ids) {
              const g = world.guests.get(vmid);
              try {
                if (!g)
                  throw fail(`unable to find configuration file for VM ${vmid} on node '${world.node}'`);
                if (g.config.template === "1" && g.kind === "lxc") w.log(`INFO: CT ${vmid} is a template`);
                await backupOne(world, w, g, params);
              } catch (err) {
                failed++;
                w.log(`ERROR: Backup of VM ${vmid} failed - ${errorText(err)}`);
                w.log(`INFO: Failed at ${new Date().toISOString().replace("T", " ").slice(0, 19)}`);
              }
            }
            if (failed) {
              w.log("INFO: Backup job finished with errors");
              throw new Error("job errors");
            }
            w.log("INFO: Backup job finished successfully");
          },
        ).upid;
      },
    },
  ];
}
