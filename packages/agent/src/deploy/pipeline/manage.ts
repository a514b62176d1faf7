import type { JobParams } from "@pylon/shared/protocol/index";
import { type JobContext, JobError, type JobHandler } from "../../jobs/types.ts";
import { PveError } from "../../proxmox/errors.ts";
import { TaskFailedError } from "../../proxmox/tasks.ts";
import { apiFor, waitTask } from "./context.ts";
import { type AppJobDeps, appJobDeps } from "./deps.ts";
import { destroyGuest } from "./guest.ts";
import type { PveApi } from "./pve-api.ts";
import { failureText } from "./steps.ts";

/** The configured deps, as a job error when the agent was not set up for app jobs. */
export function depsOrFail(step: string): AppJobDeps {
  try {
    return appJobDeps();
  } catch (err) {
    throw new JobError(failureText(err), step);
  }
}

/** Runs one named step with step events; failures carry Proxmox's or the command's own text. */
export async function step<T>(ctx: JobContext, name: string, fn: () => Promise<T>, note?: (r: T) => string) {
  await ctx.step(name, "started");
  try {
    const r = await fn();
    await ctx.step(name, "succeeded", note?.(r));
    return r;
  } catch (err) {
    const text = failureText(err);
    await ctx.step(name, "failed", text);
    if (err instanceof JobError) throw err;
    throw new JobError(`${name} failed: ${text}`, name);
  }
}

const label = (type: "lxc" | "qemu", vmid: number) => `${type === "lxc" ? "CT" : "VM"} ${vmid}`;

/** How long a stop waits for the guest to shut down cleanly before Proxmox stops it hard. */
export const SHUTDOWN_TIMEOUT_S = 60;

/** `app.action`: start, stop or restart the app's guest (a restart of a stopped guest starts it). */
export const appAction: JobHandler<"app.action"> = {
  kind: "app.action",
  async run({ vmid, type, action }, ctx) {
    const deps = depsOrFail(action);
    const api = apiFor(ctx, deps);
    return step(ctx, action, async () => {
      const status = await api.status(type, vmid);
      if (!status) throw new JobError(`${label(type, vmid)} does not exist`, action);
      const running = status.status === "running";
      if (action === "start" && running) return { vmid, status: "running" };
      if (action === "stop" && !running) return { vmid, status: "stopped" };
      // Stop as the Proxmox GUI's shutdown does: the guest's OS stops its services (databases
      // flush), and only a guest still running after the timeout is stopped hard.
      const upid =
        action === "stop"
          ? await api.power(type, vmid, "shutdown", { timeout: SHUTDOWN_TIMEOUT_S, forceStop: 1 })
          : await api.power(type, vmid, action === "restart" ? (running ? "reboot" : "start") : action);
      await waitTask(ctx, deps, upid);
      return { vmid, status: action === "stop" ? "stopped" : "running" };
    });
  },
};

/**
 * Deletes the backups of a guest on every storage that holds backups, and the other backups
 * named (an app's from guests it had before; already gone is fine).
 */
async function deleteBackups(
  ctx: JobContext,
  deps: AppJobDeps,
  api: PveApi,
  vmid: number | null,
  named: { storage: string; volid: string }[],
): Promise<number> {
  const doomed = new Map(named.map((b) => [b.volid, b.storage]));
  if (vmid !== null)
    for (const s of await ctx.pve.storages(ctx.nodeName)) {
      if (!s.active || !s.content.split(",").includes("backup")) continue;
      for (const volid of await api.backups(s.storage, vmid)) doomed.set(volid, s.storage);
    }
  let n = 0;
  for (const [volid, storage] of doomed) {
    try {
      await waitTask(ctx, deps, await api.deleteVolume(storage, volid));
      n++;
    } catch (err) {
      if (!(err instanceof PveError && /unable to parse volume ID|does not exist/.test(err.message)))
        throw err;
    }
  }
  return n;
}

/** `app.delete`: removes the route, stops and destroys the guest with purge; already gone is fine. */
export const appDelete: JobHandler<"app.delete"> = {
  kind: "app.delete",
  async run({ vmid, type, routeId, keepBackups, backups }, ctx) {
    const deps = depsOrFail("route");
    const api = apiFor(ctx, deps);
    if (routeId)
      await step(
        ctx,
        "route",
        () => deps.routes.removeRoute(routeId),
        () => `route ${routeId} removed`,
      );
    let destroyed = false;
    let backupsDeleted = 0;
    if (vmid !== null)
      destroyed = await step(
        ctx,
        "destroy",
        () => destroyGuest(ctx, deps, api, type, vmid),
        (d) => (d ? `${label(type, vmid)} destroyed` : `${label(type, vmid)} was already gone`),
      );
    if (!keepBackups && (vmid !== null || backups?.length))
      backupsDeleted = await step(
        ctx,
        "backups",
        () => deleteBackups(ctx, deps, api, vmid, backups ?? []),
        (n) => `${n} deleted`,
      );
    return { vmid, destroyed, backupsDeleted };
  },
};

/** `app.resize`: cores and memory live (config PUT), disk grown with `resize`; a shrink is Proxmox's to refuse. */
export const appResize: JobHandler<"app.resize"> = {
  kind: "app.resize",
  async run(params: JobParams<"app.resize">, ctx) {
    const { vmid, type, cores, memoryMb, diskGb } = params;
    const deps = depsOrFail("config");
    const api = apiFor(ctx, deps);
    if (cores !== undefined || memoryMb !== undefined) {
      const change: Record<string, number> = {};
      if (cores !== undefined) change.cores = cores;
      if (memoryMb !== undefined) change.memory = memoryMb;
      await step(
        ctx,
        "config",
        () => api.setConfig(type, vmid, change),
        () => JSON.stringify(change),
      );
    }
    if (diskGb !== undefined) {
      await step(ctx, "disk", async () => {
        const config = await api.config(type, vmid);
        const disk = type === "lxc" ? "rootfs" : ["scsi0", "virtio0", "sata0", "ide0"].find((d) => config[d]);
        if (!disk || config[disk] === undefined)
          throw new JobError(`${label(type, vmid)} has no disk to resize`, "disk");
        try {
          // An absolute size: Proxmox itself refuses a shrink ("unable to shrink disk size").
          await waitTask(ctx, deps, await api.resize(type, vmid, disk, `${diskGb}G`));
        } catch (err) {
          if (err instanceof PveError && /already at specified size/.test(err.message))
            return `${disk} is ${diskGb}G`;
          if (err instanceof PveError || err instanceof TaskFailedError)
            throw new JobError(`disk failed: ${err.message}`, "disk");
          throw err;
        }
        return `${disk} grown to ${diskGb}G`;
      });
    }
    return { vmid, cores: cores ?? null, memoryMb: memoryMb ?? null, diskGb: diskGb ?? null };
  },
};
