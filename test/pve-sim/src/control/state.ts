import { configDigest } from "../guests/guest.ts";
import { hasAddress } from "../guests/lifecycle.ts";
import { containersOf } from "../guests/runtime.ts";
import { avail, used } from "../storage/storage.ts";
import type { World } from "../world.ts";

/** A snapshot of the simulated node for tests: guests, volumes, tasks, locks, processes. */
export function stateOf(world: World): Record<string, unknown> {
  return {
    node: world.node,
    guests: [...world.guests.values()]
      .sort((a, b) => a.vmid - b.vmid)
      .map((g) => ({
        vmid: g.vmid,
        kind: g.kind,
        status: g.status,
        lock: g.config.lock ?? null,
        address: hasAddress(g) ? g.address : null,
        plannedAddress: g.address,
        config: { ...g.config },
        digest: configDigest(g),
        snapshots: [...g.snapshots.keys()],
      })),
    storages: world.storages.map((s) => ({
      storage: s.id,
      type: s.type,
      content: s.content,
      total: s.total,
      used: used(s),
      avail: avail(s),
      volumes: [...s.volumes.values()].map((v) => ({
        volid: v.volid,
        content: v.content,
        size: v.size,
        format: v.format,
        vmid: v.vmid ?? null,
        corrupt: v.corrupt ?? false,
        protected: v.protected ?? false,
        notes: v.notes ?? null,
      })),
    })),
    runningTasks: world.tasks.active().map((t) => ({ upid: t.upid, type: t.type, id: t.id, user: t.user })),
    taskCount: world.tasks.tasks.length,
    fileLocks: world.locks.busy(),
    processes: [
      ...[...world.tracked].map((t) => ({ kind: t.kind, pid: t.pid ?? null, description: t.description })),
      ...[...world.guests.values()].flatMap((g) =>
        containersOf(world, g).flatMap((c) =>
          c.pids.map((pid) => ({ kind: "container", pid, description: `${g.vmid}: docker ${c.name}` })),
        ),
      ),
    ],
    containers: [...world.guests.values()].flatMap((g) =>
      containersOf(world, g).map((c) => ({ vmid: g.vmid, ...c })),
    ),
    faults: world.faults.list(),
    tokens: [...world.auth.tokens.values()].map((t) => ({
      tokenid: t.authid,
      privsep: t.privsep,
      revoked: t.revoked ?? false,
    })),
    acl: world.auth.acl,
  };
}
