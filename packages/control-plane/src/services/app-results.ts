// What a finished app job means for its app. Called once per job when it reaches a final state.
import { appDeployResultSchema, type StepFacts } from "@pylon/shared";
import { and, eq } from "drizzle-orm";
import { apps, backups, type JobRow, jobs } from "../db/schema/index.ts";
import type { AppDeps } from "../deps.ts";
import { deleteAppMetrics } from "./app-metrics.ts";
import { applyBackupJobResult, BACKUP_JOB_KINDS } from "./backup-results.ts";
import { freePorts } from "./ports.ts";
import { restoredInPlace, restoreOf, snapshotCommit } from "./restore-results.ts";

type Deps = Pick<AppDeps, "db" | "now">;

/** Whether a job that did not succeed left nothing on the node: it never ran, or its undo was complete. */
function guestGone(job: JobRow): boolean {
  if (job.status !== "failed" && job.status !== "cancelled") return false;
  if (job.startedAt === null) return true;
  return (job.result as { undone?: unknown } | null)?.undone === true;
}

/**
 * Whether a deploy job makes its app's guest (create, clone, restore as new) rather than
 * redeploying into it. A restore in place makes a guest too, but the app stays in its old one,
 * which keeps serving, until the restore has succeeded.
 */
function makesGuest(job: JobRow): boolean {
  return (job.params as { mode?: string }).mode !== "redeploy" && !restoreOf(job)?.inPlace;
}

/**
 * What a running deploy learnt about its guest (its id once reserved, its address once known),
 * shown on the app at once instead of when the deploy ends. Only while the app is deploying, and
 * only for the job that is the app's latest.
 */
export async function applyStepFacts(deps: Deps, jobId: string, facts: StepFacts): Promise<void> {
  const [job] = await deps.db.select().from(jobs).where(eq(jobs.id, jobId));
  if (job?.kind !== "app.deploy" || !job.appId || !makesGuest(job)) return;
  const set: Partial<typeof apps.$inferInsert> = {};
  if (facts.vmid !== undefined) set.vmid = facts.vmid;
  if (facts.address !== undefined) set.address = facts.address;
  if (Object.keys(set).length === 0) return;
  await deps.db
    .update(apps)
    .set({ ...set, updatedAt: deps.now() })
    .where(and(eq(apps.id, job.appId), eq(apps.lastJobId, job.id), eq(apps.status, "deploying")));
}

/** Updates the app (or its backups) a finished job belongs to. */
export async function applyAppJobResult(deps: Deps, job: JobRow): Promise<void> {
  if (BACKUP_JOB_KINDS.has(job.kind)) return applyBackupJobResult(deps, job);
  const appId = job.appId;
  if (!appId || !job.kind.startsWith("app.")) return;
  const [app] = await deps.db.select().from(apps).where(eq(apps.id, appId));
  if (!app) return;
  const now = deps.now();
  const ok = job.status === "succeeded";
  const set: Partial<typeof apps.$inferInsert> = { updatedAt: now, lastError: ok ? null : job.error };
  switch (job.kind) {
    case "app.deploy": {
      const result = appDeployResultSchema.safeParse(job.result);
      const restore = restoreOf(job);
      const update = (job.params as { update?: { from: string; to: string } }).update;
      if (restore?.inPlace) {
        Object.assign(set, await restoredInPlace(deps, app, job, restore.volid));
        break;
      }
      if (ok && result.success) {
        Object.assign(set, {
          status: "running",
          vmid: result.data.vmid,
          address: result.data.address,
          commit: result.data.commit,
          ...(result.data.snapshots !== undefined ? { snapshots: result.data.snapshots } : {}),
        });
        // A catalog app now runs the version this deploy rendered (an update's new one).
        const version = (job.params as { catalogVersion?: unknown }).catalogVersion;
        if (typeof version === "string" && app.source.type === "catalog") {
          set.source = { ...app.source, version };
          if (app.availableVersion === version) set.availableVersion = null;
        }
        // The Git host's key this deploy trusted is the one later deploys require.
        const seen = result.data.hostKey;
        if (seen && app.source.type === "git") {
          const had = app.source.hostKey;
          if (!had || (had.fingerprint === seen.fingerprint && had.keyType === null))
            set.source = { ...app.source, hostKey: { ...seen, pinned: had?.pinned ?? false } };
        }
      } else if (update && !makesGuest(job)) {
        // An update that failed: the agent rolled back to the snapshot it took first (its error
        // says whether that worked); the version before runs on.
        Object.assign(set, {
          status: "running",
          lastError: `Update from ${update.from} to ${update.to} ${job.status === "cancelled" ? "cancelled" : "failed"}: ${job.error ?? "unknown error"}`,
        });
      } else if (result.success && result.data.rolledBack) {
        // A redeploy that failed its health check and went back to the snapshot: still running.
        Object.assign(set, {
          status: "running",
          lastError: `Redeploy failed and was rolled back: ${job.error ?? "unknown error"}`,
        });
      } else {
        // A failed or cancelled first deploy leaves no guest when the agent undid its steps (or
        // never started); a failed or cancelled redeploy keeps the guest (rolled back). The guest
        // a first deploy showed while it ran (step facts) is forgotten: a retry starts afresh.
        const cancelled = job.status === "cancelled";
        const first = makesGuest(job);
        Object.assign(set, { status: first ? "failed" : "running" });
        if (first) Object.assign(set, { vmid: null, address: null });
        if (!first)
          set.lastError = `Redeploy ${cancelled ? "cancelled" : "failed"}: ${job.error ?? "unknown error"}`;
        else if (cancelled) set.lastError = `Deploy cancelled: ${job.error ?? "cancelled"}`;
        if (first && guestGone(job)) await freePorts(deps, app.nodeId, app.id);
      }
      break;
    }
    case "app.action": {
      const action = (job.params as { action?: string }).action;
      if (ok) set.status = action === "stop" ? "stopped" : "running";
      break;
    }
    case "app.resize": {
      const p = job.params as { cores?: number; memoryMb?: number; diskGb?: number };
      if (ok)
        Object.assign(set, {
          ...(p.cores ? { cores: p.cores } : {}),
          ...(p.memoryMb ? { memoryMb: p.memoryMb } : {}),
          ...(p.diskGb ? { diskGb: p.diskGb } : {}),
        });
      break;
    }
    case "app.snapshot": {
      const p = job.params as { op?: string; name?: string };
      if (p.op !== "rollback") return;
      set.status = "running";
      if (ok) set.commit = snapshotCommit(job, p.name) ?? app.commit;
      else set.lastError = `Rollback to ${p.name} failed: ${job.error ?? "unknown error"}`;
      break;
    }
    case "app.delete":
      if (ok) {
        if (!(job.params as { keepBackups?: boolean }).keepBackups)
          await deps.db.delete(backups).where(eq(backups.appId, app.id));
        await freePorts(deps, app.nodeId, app.id);
        await deleteAppMetrics(deps, app.id);
        await deps.db.delete(apps).where(eq(apps.id, app.id));
        return;
      }
      set.status = "failed";
      set.lastError = `Delete failed: ${job.error ?? "unknown error"}`;
      break;
    default:
      return;
  }
  await deps.db.update(apps).set(set).where(eq(apps.id, app.id));
}
