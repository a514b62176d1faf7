// What a finished backup, prune, backup-volume or drill job means for the backup records.
// Called once per job when it reaches a final state (also for jobs of a deleted app).
import {
  appBackupResultSchema,
  appDrillResultSchema,
  appPruneResultSchema,
  appVolumeParamsSchema,
  SCHEDULED_JOB_PREFIX,
} from "@pylon/shared";
import { and, eq, inArray } from "drizzle-orm";
import { backups, type JobRow } from "../db/schema/index.ts";
import type { AppDeps } from "../deps.ts";

type Deps = Pick<AppDeps, "db" | "now">;

/** The job kinds whose results land on backup rows. */
export const BACKUP_JOB_KINDS: ReadonlySet<string> = new Set([
  "app.backup",
  "app.prune",
  "app.volume",
  "app.drill",
]);

async function forgetVolumes(deps: Deps, nodeId: string, volids: string[]): Promise<void> {
  if (!volids.length) return;
  await deps.db.delete(backups).where(and(eq(backups.nodeId, nodeId), inArray(backups.volid, volids)));
}

/** Updates the backup rows a finished job concerns. */
export async function applyBackupJobResult(deps: Deps, job: JobRow): Promise<void> {
  const ok = job.status === "succeeded";
  const now = deps.now();
  switch (job.kind) {
    case "app.backup": {
      const r = appBackupResultSchema.safeParse(job.result);
      if (ok && r.success) {
        await deps.db
          .update(backups)
          .set({
            status: "ok",
            volid: r.data.volid,
            sizeBytes: Math.round(r.data.size),
            takenAt: r.data.ctime * 1000,
            error: null,
            updatedAt: now,
          })
          .where(eq(backups.jobId, job.id));
        await forgetVolumes(deps, job.nodeId, r.data.pruned);
      } else {
        await deps.db
          .update(backups)
          .set({ status: "failed", error: job.error ?? job.status, updatedAt: now })
          .where(eq(backups.jobId, job.id));
      }
      return;
    }
    case "app.prune": {
      const r = appPruneResultSchema.safeParse(job.result);
      if (ok && r.success) await forgetVolumes(deps, job.nodeId, r.data.removed);
      return;
    }
    case "app.volume": {
      const p = appVolumeParamsSchema.safeParse(job.params);
      if (!ok || !p.success) return;
      if (p.data.op === "delete") await forgetVolumes(deps, job.nodeId, [p.data.volid]);
      else
        await deps.db
          .update(backups)
          .set({ protected: p.data.op === "protect", updatedAt: now })
          .where(and(eq(backups.nodeId, job.nodeId), eq(backups.volid, p.data.volid)));
      return;
    }
    case "app.drill": {
      const r = appDrillResultSchema.safeParse(job.result);
      const verdict =
        ok && r.success
          ? {
              drillStatus: r.data.passed ? ("passed" as const) : ("failed" as const),
              drillDetail: r.data.cleaned
                ? r.data.detail
                : `${r.data.detail} (the drill's guest ${r.data.vmid} could not be destroyed)`,
            }
          : {
              drillStatus: "failed" as const,
              drillDetail: `the drill did not run: ${job.error ?? job.status}`,
            };
      // A drill the node's schedule made names its backup only in the result (the newest then).
      const which =
        job.id.startsWith(SCHEDULED_JOB_PREFIX) && r.success
          ? and(eq(backups.nodeId, job.nodeId), eq(backups.volid, r.data.volid))
          : eq(backups.drillJobId, job.id);
      await deps.db
        .update(backups)
        .set({ ...verdict, drillAt: now, drillJobId: job.id, updatedAt: now })
        .where(which);
      return;
    }
    default:
      return;
  }
}
