import { z } from "zod";
import type { GuestType, PowerAction } from "../proxmox/client.ts";
import { PveError } from "../proxmox/errors.ts";
import { TaskFailedError, waitForTask } from "../proxmox/tasks.ts";
import { type JobContext, JobError, type JobHandler } from "./types.ts";

const taskCheckpoint = z.object({ upid: z.string() });
const label = (type: GuestType, vmid: number) => `${type === "lxc" ? "CT" : "VM"} ${vmid}`;

/** The state a finished action leaves the guest in (reboot: running). */
const TARGET: Record<PowerAction, string> = {
  start: "running",
  stop: "stopped",
  shutdown: "stopped",
  reboot: "running",
};

/**
 * After a restart between "request sent" and "UPID recorded", whether Proxmox got the request
 * is unknown. If the guest is already where the action leads (and the action is not a
 * reboot, which leaves no trace), that is success; otherwise the job fails and says so.
 */
async function settleUnknownRequest(ctx: JobContext, type: GuestType, vmid: number, action: PowerAction) {
  const status = await ctx.pve.guestStatus(ctx.nodeName, type, vmid);
  if (action !== "reboot" && status.status === TARGET[action]) {
    await ctx.log(
      "warn",
      `agent restarted while sending ${action}; ${label(type, vmid)} is ${status.status} now`,
    );
    return { vmid, type, action, status: status.status, upid: null };
  }
  throw new JobError(
    `agent restarted while the ${action} request for ${label(type, vmid)} was being sent; whether Proxmox received it is unknown (the guest is ${status.status})`,
    "request",
  );
}

/** `guest.power`: start/stop/shutdown/reboot an existing CT or VM and wait for its task. */
export const guestPower: JobHandler<"guest.power"> = {
  kind: "guest.power",
  async run({ vmid, type, action }, ctx) {
    const { pve, nodeName } = ctx;
    const recorded = taskCheckpoint.safeParse(ctx.checkpoints.get("task"));
    let upid: string;
    if (recorded.success) {
      // Resuming: the task was started before the restart; waiting on it again is harmless.
      upid = recorded.data.upid;
      await ctx.log("info", `agent restarted; waiting again for Proxmox task ${upid}`);
    } else {
      if (ctx.checkpoints.has("request")) return settleUnknownRequest(ctx, type, vmid, action);
      await ctx.checkpoint("request", { at: Date.now() });
      await ctx.step("request", "started", `${action} ${label(type, vmid)}`);
      try {
        upid = await pve.guestPower(nodeName, type, vmid, action);
      } catch (err) {
        if (err instanceof PveError) throw new JobError(err.message, "request");
        throw err;
      }
      await ctx.checkpoint("task", { upid });
      await ctx.step("request", "succeeded", upid);
    }
    await ctx.step("task", "started", upid);
    try {
      const outcome = await waitForTask(pve, upid, { signal: ctx.signal });
      if (outcome.warnings > 0) await ctx.log("warn", `Proxmox task ended with ${outcome.exitstatus}`);
      await ctx.step("task", "succeeded", outcome.exitstatus);
      return { vmid, type, action, upid, exitstatus: outcome.exitstatus };
    } catch (err) {
      if (ctx.signal.aborted) {
        throw new JobError(
          `stopped waiting for Proxmox task ${upid}; the task itself was not stopped`,
          "task",
        );
      }
      if (err instanceof TaskFailedError || err instanceof PveError) throw new JobError(err.message, "task");
      throw err;
    }
  },
};
