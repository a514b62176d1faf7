import { fail } from "../server/errors.ts";
import { bool, int, type Route, str } from "../server/router.ts";
import { freeVolume, guestDisks } from "../storage/volumes.ts";
import { type GuestKind, label } from "./guest.ts";
import { markStopped } from "./lifecycle.ts";
import { guestStats, rrdRows } from "./metrics.ts";

/** DELETE /nodes/{node}/{lxc|qemu}/{vmid} and the guest rrddata. */
export function destroyRoutes(kind: GuestKind): Route[] {
  return [
    {
      method: "DELETE",
      path: `/nodes/{node}/${kind}/{vmid}`,
      async: true,
      handler: ({ world, params, who, fault }) => {
        const g = world.guest(int(params, "vmid")!, kind);
        const force = bool(params, "force");
        if (g.status === "running" && !(kind === "lxc" && force)) {
          throw fail(
            kind === "lxc"
              ? `unable to destroy CT ${g.vmid} - container is running`
              : `VM ${g.vmid} is running - destroy failed`,
          );
        }
        if (!bool(params, "skiplock")) world.checkLock(g);
        if (g.config.protection === "1")
          throw fail(`can't remove ${label(kind)} ${g.vmid} - protection mode enabled`);
        const type = kind === "lxc" ? "vzdestroy" : "qmdestroy";
        return world.tasks.start(
          type,
          String(g.vmid),
          who.authid,
          fault ?? world.faults.takeForTask(type, g.vmid),
          async (w) => {
            await world.locks.with(g.vmid, kind, world.lockTimeout(), async () => {
              if (!force) world.checkLock(g);
              await w.faultPoint();
              if (g.status === "running") await markStopped(world, g);
              for (const v of guestDisks(world, g.vmid)) {
                const inUse = [...world.guests.values()].some(
                  (o) =>
                    o !== g && Object.values(o.config).some((c) => c.includes(`${v.volid.split(":")[1]}/`)),
                );
                if (inUse) throw fail(`base volume '${v.volid}' is still in use by linked cloned`);
              }
              await w.sleep(500);
              for (const v of guestDisks(world, g.vmid)) {
                w.log(`  Logical volume "${v.volid.split(":")[1]?.split("/").at(-1)}" successfully removed.`);
                freeVolume(world, v.volid);
              }
              if (bool(params, "purge"))
                w.log(`purging ${label(kind)} ${g.vmid} from related configurations..`);
              world.guests.delete(g.vmid);
              await world.hooks.onDestroy?.(g);
            });
          },
        ).upid;
      },
    },
    {
      method: "GET",
      path: `/nodes/{node}/${kind}/{vmid}/rrddata`,
      handler: ({ world, params }) => {
        const g = world.guest(int(params, "vmid")!, kind);
        const s = guestStats(g);
        const startedSec = g.startedAt ? Math.floor(g.startedAt / 1000) : undefined;
        return rrdRows(str(params, "timeframe") ?? "hour", (time) => {
          const base: Record<string, number> = {
            maxcpu: s.maxcpu ?? 1,
            maxmem: s.maxmem ?? 0,
            maxdisk: s.maxdisk ?? 0,
            disk: s.disk ?? 0,
          };
          // A value with no data is simply missing: before the guest ran there is no cpu/mem/net.
          if (startedSec === undefined || time < startedSec) return base;
          return {
            ...base,
            cpu: s.cpu ?? 0,
            mem: s.mem ?? 0,
            netin: 120 + (time % 31),
            netout: 80 + (time % 17),
            diskread: 0,
            diskwrite: 512,
          };
        });
      },
    },
  ];
}
