import type { AppDrillResult, JobParams } from "@pylon/shared/protocol/index";
import { z } from "zod";
import { currentAddress } from "../deploy/pipeline/address.ts";
import { apiFor } from "../deploy/pipeline/context.ts";
import type { AppJobDeps } from "../deploy/pipeline/deps.ts";
import { destroyGuest, startGuestNow } from "../deploy/pipeline/guest.ts";
import { waitHealthy } from "../deploy/pipeline/health.ts";
import { depsOrFail } from "../deploy/pipeline/manage.ts";
import type { PveApi } from "../deploy/pipeline/pve-api.ts";
import { failureText } from "../deploy/pipeline/steps.ts";
import { type JobContext, JobError, type JobHandler, wasCancelled } from "../jobs/types.ts";
import { errorMessage } from "../util/errors.ts";
import { restoreBackup } from "./restore.ts";

const vmidCheckpoint = z.object({ vmid: z.number() });
const label = (type: string, vmid: number) => `${type === "lxc" ? "CT" : "VM"} ${vmid}`;

/** The name of a drill's throwaway guest (a DNS label). */
export const drillName = (app: string) => `drill-${app}`.slice(0, 63).replace(/-+$/, "");

/** The backup a drill restores: the one named, or the newest of the guest on the storage. */
async function pickBackup(api: PveApi, p: JobParams<"app.drill">): Promise<string> {
  if (p.volid) return p.volid;
  const list = await api.backupVolumes(p.storage, p.sourceVmid);
  const newest = list.sort((a, b) => b.ctime - a.ctime)[0];
  if (!newest)
    throw new JobError(
      `no backup of ${label(p.type, p.sourceVmid)} on storage '${p.storage}' to drill`,
      "select",
    );
  return newest.volid;
}

async function waitAddress(
  ctx: JobContext,
  deps: AppJobDeps,
  api: PveApi,
  p: JobParams<"app.drill">,
  vmid: number,
) {
  const deadline = Date.now() + deps.addressTimeoutMs;
  for (let delay = 100; ; delay = Math.min(2000, delay * 2)) {
    const address = await currentAddress(api, p.type, vmid);
    if (address) return address;
    if (Date.now() > deadline)
      throw new Error(
        `${label(p.type, vmid)} got no address within ${Math.round(deps.addressTimeoutMs / 1000)} s`,
      );
    if (ctx.signal.aborted) throw ctx.signal.reason;
    await new Promise((r) => setTimeout(r, delay));
  }
}

/** Runs one drill phase as a step; a failure becomes the drill's verdict, not a job error. */
async function phase<T>(
  ctx: JobContext,
  name: string,
  fn: () => Promise<T>,
  note?: (r: T) => string,
): Promise<T> {
  await ctx.step(name, "started");
  try {
    const r = await fn();
    await ctx.step(name, "succeeded", note?.(r));
    return r;
  } catch (err) {
    await ctx.step(name, "failed", failureText(err));
    throw err;
  }
}

/** Destroys the drill's guest; false (and logged) when that failed. */
async function cleanUp(ctx: JobContext, deps: AppJobDeps, api: PveApi, type: "lxc" | "qemu", vmid: number) {
  try {
    await phase(
      ctx,
      "cleanup",
      () => destroyGuest(ctx, deps, api, type, vmid),
      (gone) => (gone ? `${label(type, vmid)} destroyed` : `${label(type, vmid)} was not created`),
    );
    return true;
  } catch (err) {
    await ctx.log("error", `the drill's ${label(type, vmid)} is left behind: ${errorMessage(err)}`);
    return false;
  }
}

/**
 * `app.drill`: does the backup restore and run? It is restored into a throwaway guest (new VMID,
 * fresh MACs, no route, no public port), started, and the app's health check runs against its
 * address; then the guest is destroyed, whatever happened. The verdict is the result (passed or
 * the failure's own text); a drill interrupted by an agent restart destroys its guest and runs again.
 */
export const appDrill: JobHandler<"app.drill"> = {
  kind: "app.drill",
  async run(p, ctx): Promise<AppDrillResult> {
    const deps = depsOrFail("select");
    const api = apiFor(ctx, deps);
    const started = Date.now();
    const previous = vmidCheckpoint.safeParse(ctx.checkpoints.get("drill.vmid"));
    if (previous.success) {
      const name = drillName(p.name);
      const config = await api.config(p.type, previous.data.vmid).catch(() => undefined);
      const ours = config && (p.type === "lxc" ? config.hostname : config.name) === name;
      if (ours || config?.lock === "create") await cleanUp(ctx, deps, api, p.type, previous.data.vmid);
    }
    const volid = await phase(
      ctx,
      "select",
      () => pickBackup(api, p),
      (v) => v,
    );
    const vmid = await api.nextId();
    await ctx.checkpoint("drill.vmid", { vmid });
    let passed = false;
    let detail: string;
    try {
      await phase(
        ctx,
        "restore",
        async () => {
          await restoreBackup(ctx, deps, api, "drill.restore", {
            type: p.type,
            vmid,
            volid,
            storage: p.guestStorage,
            hostname: drillName(p.name),
          });
          // Never started with the node, and (VMs) named as a drill, not as the app.
          await api.setConfig(p.type, vmid, {
            onboot: 0,
            ...(p.type === "qemu" ? { name: drillName(p.name) } : {}),
          });
        },
        () => `${volid} → ${label(p.type, vmid)}`,
      );
      await phase(ctx, "start", () => startGuestNow(ctx, deps, api, p.type, vmid));
      const address = await phase(
        ctx,
        "address",
        () => waitAddress(ctx, deps, api, p, vmid),
        (a) => a,
      );
      detail = await phase(
        ctx,
        "health",
        () => waitHealthy(address, p.http, undefined, ctx.signal),
        (d) => d,
      );
      passed = true;
    } catch (err) {
      if (wasCancelled(ctx.signal)) {
        // Cancelled: clean up under a signal only a shutdown fires. A shutdown leaves the guest
        // to the resumed run, which destroys it first.
        const undo = { ...ctx, signal: ctx.stopping ?? new AbortController().signal };
        await cleanUp(undo, deps, api, p.type, vmid);
      }
      if (ctx.signal.aborted) throw err;
      detail = failureText(err);
    }
    const cleaned = await cleanUp(ctx, deps, api, p.type, vmid);
    return { volid, passed, detail, vmid, durationMs: Date.now() - started, cleaned };
  },
};
