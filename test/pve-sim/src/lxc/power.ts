import type { FaultRule } from "../control/faults.ts";
import type { Guest } from "../guests/guest.ts";
import { alreadyRunning, markRunning, markStopped, notRunning, shutdownGuest } from "../guests/lifecycle.ts";
import { guestStats } from "../guests/metrics.ts";
import { fail } from "../server/errors.ts";
import { bool, int, type Route } from "../server/router.ts";
import type { Task } from "../tasks/tasks.ts";
import type { World } from "../world.ts";

/** Starts a CT in a vzstart task (lock checks inside the task, under the config flock). */
export function startCt(world: World, g: Guest, authid: string, fault: FaultRule | undefined): Task {
  return world.tasks.start(
    "vzstart",
    String(g.vmid),
    authid,
    fault ?? world.faults.takeForTask("vzstart", g.vmid),
    async (w) => {
      await world.locks.with(g.vmid, "lxc", world.lockTimeout(), async () => {
        if (g.config.template === "1") throw fail("you can't start a CT if it's a template");
        if (g.config.lock && g.config.lock !== "mounted") world.checkLock(g);
        await w.faultPoint();
        if (g.status === "running") throw alreadyRunning(g);
        await w.sleep(world.clock.pick(1000, 3000, g.vmid));
        markRunning(world, g);
      });
    },
  );
}

function powerTask(
  world: World,
  g: Guest,
  type: string,
  authid: string,
  fault: FaultRule | undefined,
  body: (w: Parameters<Parameters<World["tasks"]["start"]>[4]>[0]) => Promise<void>,
): string {
  return world.tasks.start(
    type,
    String(g.vmid),
    authid,
    fault ?? world.faults.takeForTask(type, g.vmid),
    async (w) => {
      await world.locks.with(g.vmid, "lxc", world.lockTimeout(), async () => {
        await body(w);
      });
    },
  ).upid;
}

/** LXC status/current and power actions. */
export function lxcPowerRoutes(): Route[] {
  return [
    {
      method: "GET",
      path: "/nodes/{node}/lxc/{vmid}/status/current",
      handler: ({ world, params }) => {
        const g = world.guest(int(params, "vmid")!, "lxc");
        const out: Record<string, unknown> = {
          vmid: g.vmid,
          name: g.config.hostname ?? `CT${g.vmid}`,
          status: g.status,
          type: "lxc",
          ...guestStats(g),
          ha: { managed: 0 },
        };
        if (g.config.lock) out.lock = g.config.lock;
        if (g.config.template === "1") out.template = 1;
        if (g.config.tags) out.tags = g.config.tags;
        if (g.pid) out.pid = g.pid;
        return out;
      },
    },
    {
      method: "POST",
      path: "/nodes/{node}/lxc/{vmid}/status/start",
      async: true,
      handler: ({ world, params, who, fault }) => {
        const g = world.guest(int(params, "vmid")!, "lxc");
        if (g.status === "running") throw alreadyRunning(g);
        return startCt(world, g, who.authid, fault).upid;
      },
    },
    {
      method: "POST",
      path: "/nodes/{node}/lxc/{vmid}/status/stop",
      async: true,
      handler: ({ world, params, who, fault }) => {
        const g = world.guest(int(params, "vmid")!, "lxc");
        if (g.status !== "running") throw notRunning(g);
        const skiplock = bool(params, "skiplock");
        return powerTask(world, g, "vzstop", who.authid, fault, async (w) => {
          if (!skiplock && g.config.lock && g.config.lock !== "mounted") world.checkLock(g);
          await w.faultPoint();
          await w.sleep(1000);
          await markStopped(world, g);
        });
      },
    },
    {
      method: "POST",
      path: "/nodes/{node}/lxc/{vmid}/status/shutdown",
      async: true,
      handler: ({ world, params, who, fault }) => {
        const g = world.guest(int(params, "vmid")!, "lxc");
        if (g.status !== "running") throw notRunning(g);
        const timeout = int(params, "timeout") ?? 60;
        const forceStop = bool(params, "forceStop");
        return powerTask(world, g, "vzshutdown", who.authid, fault, async (w) => {
          world.checkLock(g);
          await shutdownGuest(world, g, w, timeout, forceStop);
        });
      },
    },
    {
      method: "POST",
      path: "/nodes/{node}/lxc/{vmid}/status/reboot",
      async: true,
      handler: ({ world, params, who, fault }) => {
        const g = world.guest(int(params, "vmid")!, "lxc");
        if (g.status !== "running") throw notRunning(g);
        return powerTask(world, g, "vzreboot", who.authid, fault, async (w) => {
          world.checkLock(g);
          await w.faultPoint();
          await w.sleep(world.clock.pick(2000, 6000, g.vmid));
          await markStopped(world, g);
          await w.sleep(world.clock.pick(1000, 3000, g.vmid));
          markRunning(world, g);
        });
      },
    },
  ];
}
