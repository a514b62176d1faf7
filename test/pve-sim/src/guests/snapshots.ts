import type { FaultRule } from "../control/faults.ts";
import { fail } from "../server/errors.ts";
import { bool, int, type Route, str } from "../server/router.ts";
import { canSnapshot, type Storage, type Volume } from "../storage/storage.ts";
import type { World } from "../world.ts";
import type { Guest, GuestKind } from "./guest.ts";
import { clearLock, markRunning, markStopped } from "./lifecycle.ts";

const TYPES = {
  lxc: { create: "vzsnapshot", rollback: "vzrollback", del: "vzdelsnapshot" },
  qemu: { create: "qmsnapshot", rollback: "qmrollback", del: "qmdelsnapshot" },
};

const DISK_KEY = /^(rootfs|mp\d+|scsi\d+|virtio\d+|sata\d+|ide\d+|efidisk0|tpmstate0)$/;

/** The guest's disk volumes (not CD-ROMs or the cloud-init drive) with their storages. */
function disks(world: World, g: Guest): { volid: string; storage: Storage; volume?: Volume }[] {
  const out: { volid: string; storage: Storage; volume?: Volume }[] = [];
  for (const [k, v] of Object.entries(g.config)) {
    if (!DISK_KEY.test(k) || v.includes("media=cdrom") || v.includes("cloudinit")) continue;
    const volid = v.split(",")[0]!.replace(/^volume=/, "");
    const storage = world.storages.find((x) => x.id === volid.split(":")[0]);
    if (storage) out.push({ volid, storage, volume: storage.volumes.get(volid) });
  }
  return out;
}

/** has_feature('snapshot'): every disk's storage (and format) can take snapshots. */
export function snapshotFeature(world: World, g: Guest): boolean {
  return disks(world, g).every((d) => canSnapshot(d.storage, d.volume));
}

/**
 * ZFSPoolPlugin volume_rollback_is_possible: a zvol/dataset rolls back only to its most recent
 * snapshot; any newer one blocks it.
 */
function checkRollbackPossible(world: World, g: Guest, name: string): void {
  const names = [...g.snapshots.keys()];
  const newer = names.slice(names.indexOf(name) + 1);
  if (!newer.length) return;
  const zfs = disks(world, g).find((d) => d.storage.type === "zfspool");
  if (zfs) throw fail(`can't rollback, '${name}' is not most recent snapshot on '${zfs.volid}'`);
}

function snapConfig(g: Guest): Record<string, string> {
  const c = { ...g.config };
  delete c.lock;
  delete c.parent;
  return c;
}

function task(
  world: World,
  g: Guest,
  type: string,
  authid: string,
  fault: FaultRule | undefined,
  body: Parameters<World["tasks"]["start"]>[4],
): string {
  return world.tasks.start(
    type,
    String(g.vmid),
    authid,
    fault ?? world.faults.takeForTask(type, g.vmid),
    body,
  ).upid;
}

/** Snapshot list, create, rollback and delete for one guest kind. */
export function snapshotRoutes(kind: GuestKind): Route[] {
  const base = `/nodes/{node}/${kind}/{vmid}/snapshot`;
  const t = TYPES[kind];
  return [
    {
      method: "GET",
      path: base,
      handler: ({ world, params }) => {
        const g = world.guest(int(params, "vmid")!, kind);
        const list: Record<string, unknown>[] = [...g.snapshots.values()].map((s) => {
          const e: Record<string, unknown> = {
            name: s.name,
            description: s.description,
            snaptime: s.snaptime,
          };
          if (s.parent) e.parent = s.parent;
          if (kind === "qemu") e.vmstate = s.vmstate ? 1 : 0;
          return e;
        });
        const current: Record<string, unknown> = {
          name: "current",
          description: "You are here!",
          running: g.status === "running" ? 1 : 0,
        };
        if (g.config.parent) current.parent = g.config.parent;
        list.push(current);
        return list;
      },
    },
    {
      method: "POST",
      path: base,
      async: true,
      handler: ({ world, params, who, fault }) => {
        const g = world.guest(int(params, "vmid")!, kind);
        const name = str(params, "snapname")!;
        if (name === "current" || name === "vzdump")
          throw fail(`unable to use snapshot name '${name}' (reserved name)`);
        return task(world, g, t.create, who.authid, fault, async (w) => {
          await world.locks.with(g.vmid, kind, world.lockTimeout(), () => {
            world.checkLock(g);
            if (g.snapshots.has(name)) throw fail(`snapshot name '${name}' already used`);
            if (!snapshotFeature(world, g)) throw fail("snapshot feature is not available");
            g.config.lock = "snapshot";
          });
          try {
            await w.faultPoint();
            await w.sleep(world.clock.pick(1000, 3000, g.vmid));
            g.snapshots.set(name, {
              name,
              config: snapConfig(g),
              snaptime: Math.floor(Date.now() / 1000),
              description: str(params, "description") ?? "",
              parent: g.config.parent,
              vmstate: kind === "qemu" && bool(params, "vmstate") && g.status === "running",
            });
            g.config.parent = name;
            world.hooks.onSnapshot?.(g, name, "take");
          } finally {
            clearLock(g, "snapshot");
          }
        });
      },
    },
    {
      method: "POST",
      path: `${base}/{snapname}/rollback`,
      async: true,
      handler: ({ world, params, who, fault }) => {
        const g = world.guest(int(params, "vmid")!, kind);
        const name = str(params, "snapname")!;
        return task(world, g, t.rollback, who.authid, fault, async (w) => {
          const snap = await world.locks.with(g.vmid, kind, world.lockTimeout(), () => {
            const s = g.snapshots.get(name);
            if (!s) throw fail(`snapshot '${name}' does not exist`);
            world.checkLock(g);
            checkRollbackPossible(world, g, name);
            g.config.lock = "rollback";
            return s;
          });
          try {
            await w.faultPoint();
            if (g.status === "running") await markStopped(world, g);
            await w.sleep(world.clock.pick(1000, 3000, g.vmid));
            g.config = { ...snap.config, parent: name, lock: "rollback" };
            world.hooks.onSnapshot?.(g, name, "rollback");
          } finally {
            clearLock(g, "rollback");
          }
          if (snap.vmstate || bool(params, "start")) markRunning(world, g);
        });
      },
    },
    {
      method: "DELETE",
      path: `${base}/{snapname}`,
      async: true,
      handler: ({ world, params, who, fault }) => {
        const g = world.guest(int(params, "vmid")!, kind);
        const name = str(params, "snapname")!;
        const force = bool(params, "force");
        return task(world, g, t.del, who.authid, fault, async (w) => {
          await world.locks.with(g.vmid, kind, world.lockTimeout(), () => {
            if (!g.snapshots.has(name)) throw fail(`snapshot '${name}' does not exist`);
            if (!force) world.checkLock(g);
            g.config.lock = "snapshot-delete";
          });
          try {
            await w.faultPoint();
            await w.sleep(world.clock.pick(500, 2000, g.vmid));
            const gone = g.snapshots.get(name)!;
            g.snapshots.delete(name);
            world.hooks.onSnapshot?.(g, name, "delete");
            for (const s of g.snapshots.values()) if (s.parent === name) s.parent = gone.parent;
            if (g.config.parent === name) {
              if (gone.parent) g.config.parent = gone.parent;
              else delete g.config.parent;
            }
          } finally {
            clearLock(g, "snapshot-delete");
          }
        });
      },
    },
  ];
}
