// What a finished app job means for its app. Called once per job when it reaches a final state.
import { appDeployResultSchema } from "@pylon/shared";
import { eq } from "drizzle-orm";
import { apps, backups, type JobRow } from "../db/schema/index.ts";
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
      } else if (result.success && result.data.rolledBack) {
        // A redeploy that failed its health check and went back to the snapshot: still running.
        Object.assign(set, {
          status: "running",
          lastError: `Redeploy failed and was rolled back: ${job.error ?? "unknown error"}`,
        });
      } else {
        // A failed or cancelled first deploy leaves no guest when the agent undid its steps (or
        // never started); a failed or cancelled redeploy keeps the guest (rolled back).
        const cancelled = job.status === "cancelled";
        Object.assign(set, { status: app.vmid === null ? "failed" : "running" });
        if (app.vmid !== null)
          set.lastError = `Redeploy ${cancelled ? "cancelled" : "failed"}: ${job.error ?? "unknown error"}`;
        else if (cancelled) set.lastError = `Deploy cancelled: ${job.error ?? "cancelled"}`;
        if (app.vmid === null && guestGone(job)) await freePorts(deps, app.nodeId, app.id);
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
