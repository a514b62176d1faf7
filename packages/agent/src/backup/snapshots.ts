import type { AppSnapshotResult, JobParams } from "@pylon/shared/protocol/index";
import { apiFor, waitTask } from "../deploy/pipeline/context.ts";
import type { AppJobDeps } from "../deploy/pipeline/deps.ts";
import { depsOrFail, step } from "../deploy/pipeline/manage.ts";
import type { PveApi } from "../deploy/pipeline/pve-api.ts";
import { dropSnapshot, rollbackTo, takeSnapshot } from "../deploy/pipeline/snapshot.ts";
import { type JobContext, JobError, type JobHandler } from "../jobs/types.ts";
import type { GuestType } from "../proxmox/client.ts";
import { errorMessage } from "../util/errors.ts";
import { snapshotFacts } from "./facts.ts";

/** Pylon's own snapshots (deploys, redeploys, `take`): `pylon_yyyymmdd_hhmmss[_n]`; clone points are not. */
export const isOwnSnapshot = (name: string) => /^pylon_\d{8}_\d{6}(_\d+)?$/.test(name);

/**
 * Deletes the guest's own snapshots beyond the newest `keep` (oldest first). A failure to
 * delete one is logged, not fatal: the deploy or snapshot it follows has succeeded.
 */
export async function pruneOwnSnapshots(
  ctx: JobContext,
  deps: AppJobDeps,
  api: PveApi,
  type: GuestType,
  vmid: number,
  keep: number | undefined,
): Promise<string[]> {
  if (!keep) return [];
  const own = (await api.snapshotEntries(type, vmid))
    .filter((s) => isOwnSnapshot(s.name))
    .sort((a, b) => (a.snaptime ?? 0) - (b.snaptime ?? 0) || a.name.localeCompare(b.name));
  const pruned: string[] = [];
  for (const s of own.slice(0, Math.max(0, own.length - keep))) {
    try {
      await dropSnapshot(ctx, deps, api, type, vmid, s.name);
      pruned.push(s.name);
    } catch (err) {
      await ctx.log("warn", `snapshot ${s.name} not deleted: ${errorMessage(err)}`);
    }
  }
  if (pruned.length) await ctx.log("info", `deleted older snapshots (keeping ${keep}): ${pruned.join(", ")}`);
  return pruned;
}

async function listing(ctx: JobContext, api: PveApi, type: GuestType, vmid: number) {
  const [entries, facts] = await Promise.all([
    api.snapshotEntries(type, vmid),
    snapshotFacts(ctx, api, type, vmid),
  ]);
  return {
    snapshots: entries.map((s) => ({
      name: s.name,
      time: s.snaptime ?? null,
      description: s.description ?? "",
      parent: s.parent ?? null,
    })),
    supported: facts.supported,
    reason: facts.reason,
    latestOnly: facts.latestOnly,
  };
}

/** The name a step needs, or a clear refusal. */
function nameOf(p: JobParams<"app.snapshot">): string {
  if (!p.name) throw new JobError(`a snapshot name is needed to ${p.op}`, p.op);
  return p.name;
}

/**
 * Refuses what the guest's storage cannot do before Proxmox is asked: snapshots on a storage
 * without them (rollback then means restoring a backup), and on ZFS a rollback past newer
 * snapshots (only the most recent can be rolled back to).
 */
function checkAllowed(p: JobParams<"app.snapshot">, l: Awaited<ReturnType<typeof listing>>): void {
  if ((p.op === "take" || p.op === "rollback") && !l.supported)
    throw new JobError(`${l.reason}; restore a backup instead`, p.op);
  if (p.op === "rollback" && l.latestOnly) {
    const names = l.snapshots.map((s) => s.name);
    const newer = names.slice(names.indexOf(p.name ?? "") + 1);
    if (names.includes(p.name ?? "") && newer.length)
      throw new JobError(
        `ZFS rolls back only to the most recent snapshot; delete the newer ones first (${newer.join(", ")})`,
        p.op,
      );
  }
}

/** `app.snapshot`: list, take (then prune own ones beyond `keep`), delete or roll back. */
export const appSnapshot: JobHandler<"app.snapshot"> = {
  kind: "app.snapshot",
  async run(p, ctx): Promise<AppSnapshotResult> {
    const deps = depsOrFail(p.op);
    const api = apiFor(ctx, deps);
    const before = await listing(ctx, api, p.type, p.vmid);
    checkAllowed(p, before);
    let name: string | null = null;
    let pruned: string[] = [];
    if (p.op === "take") {
      name = await step(ctx, "take", () => takeSnapshot(ctx, deps, api, p.type, p.vmid, p.description));
      pruned = await pruneOwnSnapshots(ctx, deps, api, p.type, p.vmid, p.keep);
    } else if (p.op === "delete") {
      name = nameOf(p);
      const which = name;
      if (!before.snapshots.some((s) => s.name === which))
        throw new JobError(`snapshot '${which}' does not exist`, "delete");
      await step(ctx, "delete", async () =>
        waitTask(ctx, deps, await api.deleteSnapshot(p.type, p.vmid, which)),
      );
    } else if (p.op === "rollback") {
      name = nameOf(p);
      const which = name;
      await step(ctx, "rollback", () => rollbackTo(ctx, deps, api, p.type, p.vmid, which));
    }
    const after = p.op === "list" ? before : await listing(ctx, api, p.type, p.vmid);
    return { ...after, name, pruned };
  },
};
