import type { FaultRule } from "../control/faults.ts";
import type { Guest } from "../guests/guest.ts";
import { alreadyRunning, markRunning, markStopped, notRunning, shutdownGuest } from "../guests/lifecycle.ts";
import { guestStats } from "../guests/metrics.ts";
import { fail } from "../server/errors.ts";
import { bool, int, type Route } from "../server/router.ts";
import type { WorkerCtx } from "../tasks/tasks.ts";
import type { World } from "../world.ts";

/** Whether the VM's config enables the guest agent (`agent: 1` or `agent: enabled=1,…`). */
export function agentEnabled(g: Guest): boolean {
  const a = g.config.agent;
  return a !== undefined && /^(1|enabled=1)/.test(a);
}

function vmTask(
  world: World,
  g: Guest,
  type: string,
  authid: string,
  fault: FaultRule | undefined,
  body: (w: WorkerCtx) => Promise<void>,
): string {
  return world.tasks.start(
    type,
    String(g.vmid),
    authid,
    fault ?? world.faults.takeForTask(type, g.vmid),
    async (w) => {
      await world.locks.with(g.vmid, "qemu", world.lockTimeout(), () => body(w));
    },
  ).upid;
}

type Action = "start" | "stop" | "shutdown" | "reboot" | "reset" | "suspend" | "resume";

// QEMU differs from LXC: start of a running VM fails inside the task, stop/shutdown of a
// stopped VM is a no-op task, the others refuse with 500 before any task.
/** The shutdown options of the call (PVE defaults: 60 s, no forced stop). */
interface PowerParams {
  timeout: number;
  forceStop: boolean;
}

const ACTIONS: Record<Action, (world: World, g: Guest, w: WorkerCtx, p: PowerParams) => Promise<void>> = {
  start: async (world, g, w) => {
    if (g.config.template === "1") throw fail("you can't start a vm if it's a template");
    world.checkLock(g);
    await w.faultPoint();
    if (g.status === "running") throw alreadyRunning(g);
    if (
      g.config.ide2?.includes("cloudinit") ||
      Object.values(g.config).some((v) => v.includes("-cloudinit"))
    ) {
      w.log("generating cloud-init ISO");
    }
    await w.sleep(world.clock.pick(1000, 5000, g.vmid));
    markRunning(world, g);
  },
  stop: async (world, g, w) => {
    world.checkLock(g);
    await w.faultPoint();
    if (g.status !== "running") return;
    await w.sleep(1000);
    await markStopped(world, g);
  },
  shutdown: async (world, g, w, params) => {
    world.checkLock(g);
    if (g.status !== "running") return;
    await shutdownGuest(world, g, w, params.timeout, params.forceStop);
  },
  reboot: async (world, g, w) => {
    world.checkLock(g);
    await w.faultPoint();
    await w.sleep(world.clock.pick(3000, 10_000, g.vmid));
    await markStopped(world, g);
    markRunning(world, g);
  },
  reset: async (world, g, w) => {
    world.checkLock(g);
    await w.faultPoint();
    await markStopped(world, g);
    markRunning(world, g);
  },
  suspend: async (world, g, w) => {
    world.checkLock(g);
    await w.faultPoint();
    g.qmpstatus = "paused";
  },
  resume: async (_world, g, w) => {
    await w.faultPoint();
    g.qmpstatus = "running";
  },
};

const TASK_TYPE: Record<Action, string> = {
  start: "qmstart",
  stop: "qmstop",
  shutdown: "qmshutdown",
  reboot: "qmreboot",
  reset: "qmreset",
  suspend: "qmsuspend",
  resume: "qmresume",
};

/** QEMU status/current and power actions. */
export function qemuPowerRoutes(): Route[] {
  const routes: Route[] = [
    {
      method: "GET",
      path: "/nodes/{node}/qemu/{vmid}/status/current",
      handler: ({ world, params }) => {
        const g = world.guest(int(params, "vmid")!, "qemu");
        const out: Record<string, unknown> = {
          vmid: g.vmid,
          name: g.config.name ?? `VM${g.vmid}`,
          status: g.status,
          qmpstatus: g.qmpstatus ?? g.status,
          agent: agentEnabled(g) ? 1 : 0,
          ...guestStats(g),
          ha: { managed: 0 },
        };
        if (g.pid) out.pid = g.pid;
        if (g.status === "running") {
          out["running-machine"] = "pc-i440fx-9.2+pve1";
          out["running-qemu"] = "9.2.0";
        }
        if (g.config.lock) out.lock = g.config.lock;
        if (g.config.template === "1") out.template = 1;
        if (g.config.tags) out.tags = g.config.tags;
        return out;
      },
    },
  ];
  for (const action of Object.keys(ACTIONS) as Action[]) {
    routes.push({
      method: "POST",
      path: `/nodes/{node}/qemu/{vmid}/status/${action}`,
      async: true,
      handler: ({ world, params, who, fault }) => {
        const g = world.guest(int(params, "vmid")!, "qemu");
        if (["reboot", "reset", "suspend", "resume"].includes(action) && g.status !== "running")
          throw notRunning(g);
        const p = { timeout: int(params, "timeout") ?? 60, forceStop: bool(params, "forceStop") };
        return vmTask(world, g, TASK_TYPE[action], who.authid, fault, (w) => ACTIONS[action](world, g, w, p));
      },
    });
  }
  return routes;
}
