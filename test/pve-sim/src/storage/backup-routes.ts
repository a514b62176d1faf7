import { hashFormats } from "../schema/formats.ts";
import { parsePropertyString } from "../schema/validate.ts";
import { fail } from "../server/errors.ts";
import { bool, int, type Route, str } from "../server/router.ts";
import type { World } from "../world.ts";
import { type PruneEntry, pruneMark } from "./prune.ts";
import { parseVolid, type Storage, type Volume, volumePath } from "./storage.ts";
import { removeBackup } from "./volumes.ts";

// Without `prune-backups` the storage's own retention applies; these storages keep all (PVE default).
function pruneOpts(text: string | undefined): Record<string, string> {
  if (!text) return { "keep-all": "1" };
  return parsePropertyString(hashFormats["prune-backups"]!, text);
}

function backupsFor(s: Storage, type?: string, vmid?: number): Volume[] {
  return [...s.volumes.values()].filter(
    (v) => v.content === "backup" && (!type || v.subtype === type) && (vmid === undefined || v.vmid === vmid),
  );
}

/** A volume of a storage by `volume` (a full volid or a name on that storage), or PVE's error. */
function volumeOf(world: World, params: Record<string, unknown>): { s: Storage; volid: string; vol: Volume } {
  const storeid = str(params, "storage")!;
  const s = world.storage(storeid);
  let volid = str(params, "volume")!;
  if (!parseVolid(volid)) volid = `${storeid}:${volid}`;
  const vol = s.volumes.get(volid);
  if (!vol) throw fail(`unable to parse volume ID '${volid}'`);
  return { s, volid, vol };
}

/** check_volume_access for a backup: the storage, and VM.Backup on its guest. */
function checkVolumeAccess(
  world: World,
  who: Parameters<Route["handler"]>[0]["who"],
  s: Storage,
  vol: Volume,
) {
  world.auth.check(who, `/storage/${s.id}`, ["Datastore.AllocateSpace"]);
  if (vol.content === "backup" && vol.vmid !== undefined)
    world.auth.check(who, `/vms/${vol.vmid}`, ["VM.Backup"]);
}

/** The prune worker's log lines (PBS runs its client per backup group). */
function logPrune(s: Storage, marks: PruneEntry[], log: (line: string) => void): void {
  if (s.type !== "pbs") return;
  const groups = new Set(marks.map((m) => `${m.type === "qemu" ? "vm" : "ct"}/${m.vmid}`));
  for (const g of groups) log(`running 'proxmox-backup-client prune' for '${g}'`);
}

/** Volume attributes (GET/PUT), volume delete (imgdel) and prune (dry run and real). */
export function backupVolumeRoutes(): Route[] {
  return [
    {
      method: "GET",
      path: "/nodes/{node}/storage/{storage}/content/{volume}",
      handler: ({ world, params, who }) => {
        const { s, vol } = volumeOf(world, params);
        checkVolumeAccess(world, who, s, vol);
        const out: Record<string, unknown> = {
          path: volumePath(s, vol.volid.split(":")[1]!),
          size: vol.size,
          used: vol.size,
          format: vol.format,
        };
        if (vol.content === "backup") {
          out.notes = vol.notes ?? "";
          out.protected = vol.protected ? 1 : 0;
        }
        return out;
      },
    },
    {
      method: "PUT",
      path: "/nodes/{node}/storage/{storage}/content/{volume}",
      handler: ({ world, params, who }) => {
        const { s, vol } = volumeOf(world, params);
        checkVolumeAccess(world, who, s, vol);
        if (params.notes !== undefined) vol.notes = str(params, "notes") ?? "";
        if (params.protected !== undefined) {
          if (vol.content !== "backup") throw fail("protection is only supported for backups");
          vol.protected = bool(params, "protected");
        }
        return null;
      },
    },
    {
      method: "DELETE",
      path: "/nodes/{node}/storage/{storage}/content/{volume}",
      async: true,
      handler: ({ world, params, who, fault }) => {
        const { s, volid, vol } = volumeOf(world, params);
        if (vol.content === "backup") checkVolumeAccess(world, who, s, vol);
        else world.auth.check(who, `/storage/${s.id}`, ["Datastore.Allocate"]);
        if (vol.vmid !== undefined && vol.content !== "backup" && world.guests.has(vol.vmid)) {
          throw fail(`unable to remove volume '${volid}' - volume is still in use (guest ${vol.vmid})`);
        }
        const id = vol.vmid !== undefined ? `${vol.vmid}@${s.id}` : s.id;
        return world.tasks.start("imgdel", id, who.authid, fault, async (ctx) => {
          await ctx.faultPoint();
          // Plugin::archive_remove (dir) / the PBS forget call refuse protected backups in the worker.
          if (vol.protected) {
            if (s.type === "pbs")
              throw fail(
                `removing backup snapshot ${volumePath(s, volid.split(":")[1]!)} failed - backup is protected`,
              );
            throw fail(`cannot remove protected archive '${volumePath(s, volid.split(":")[1]!)}'`);
          }
          removeBackup(s, volid);
          ctx.log(`Removed volume '${volid}'`);
        }).upid;
      },
    },
    {
      method: "GET",
      path: "/nodes/{node}/storage/{storage}/prunebackups",
      handler: ({ world, params }) => {
        const s = world.storage(str(params, "storage")!);
        if (!s.content.includes("backup")) throw fail(`storage '${s.id}' does not support backups`);
        const opts = pruneOpts(str(params, "prune-backups"));
        return pruneMark(backupsFor(s, str(params, "type"), int(params, "vmid")), opts);
      },
    },
    {
      method: "DELETE",
      path: "/nodes/{node}/storage/{storage}/prunebackups",
      async: true,
      handler: ({ world, params, who, fault }) => {
        const s = world.storage(str(params, "storage")!);
        if (!s.content.includes("backup")) throw fail(`storage '${s.id}' does not support backups`);
        const vmid = int(params, "vmid");
        // PruneBackups.pm: Datastore.Allocate, or with a vmid Datastore.AllocateSpace + VM.Backup.
        if (vmid === undefined) world.auth.check(who, `/storage/${s.id}`, ["Datastore.Allocate"]);
        else {
          world.auth.check(who, `/storage/${s.id}`, ["Datastore.AllocateSpace"]);
          world.auth.check(who, `/vms/${vmid}`, ["VM.Backup"]);
        }
        const opts = pruneOpts(str(params, "prune-backups"));
        const marks = pruneMark(backupsFor(s, str(params, "type"), vmid), opts);
        const id = vmid !== undefined ? `${vmid}@${s.id}` : s.id;
        return world.tasks.start("prunebackups", id, who.authid, fault, async (ctx) => {
          await ctx.faultPoint();
          logPrune(s, marks, ctx.log);
          for (const m of marks) {
            if (m.mark !== "remove") continue;
            ctx.log(`removing backup '${m.volid}'`);
            removeBackup(s, m.volid);
          }
        }).upid;
      },
    },
  ];
}
