// What a finished restore (app.deploy in mode restore) and snapshot rollback mean for the app.
import { appDeployParamsSchema, appDeployResultSchema, appSnapshotResultSchema } from "@pylon/shared";
import { and, eq } from "drizzle-orm";
import { type AppRow, type apps, backups, type JobRow } from "../db/schema/index.ts";
import type { AppDeps } from "../deps.ts";

type Deps = Pick<AppDeps, "db" | "now">;

/** The backup a restore job restores, and whether it replaces the app's guest. */
export function restoreOf(job: JobRow): { volid: string; inPlace: boolean } | null {
  const p = appDeployParamsSchema.safeParse(job.params);
  if (!p.success || p.data.mode !== "restore" || !p.data.restoreFrom) return null;
  return { volid: p.data.restoreFrom.volid, inPlace: p.data.replaces !== undefined };
}

/**
 * A restore in place: on success the app runs in the restored guest as it was when backed up
 * (source, env, secrets, resources, commit); on failure it runs on in its old guest.
 */
export async function restoredInPlace(
  deps: Deps,
  app: AppRow,
  job: JobRow,
  volid: string,
): Promise<Partial<typeof apps.$inferInsert>> {
  const result = appDeployResultSchema.safeParse(job.result);
  if (job.status !== "succeeded" || !result.success) {
    const verb = job.status === "cancelled" ? "cancelled" : "failed";
    return {
      status: "running",
      lastError: `Restore ${verb}: ${job.error ?? "unknown error"}; the app runs on as before`,
    };
  }
  const [b] = await deps.db
    .select()
    .from(backups)
    .where(and(eq(backups.nodeId, app.nodeId), eq(backups.volid, volid)));
  const s = b?.appState;
  return {
    status: "running",
    vmid: result.data.vmid,
    address: result.data.address,
    commit: result.data.commit ?? s?.commit ?? app.commit,
    ...(result.data.snapshots !== undefined ? { snapshots: result.data.snapshots } : {}),
    ...(s
      ? {
          source: s.source,
          env: s.env,
          secretNames: s.secretNames,
          secretsBox: s.secretsBox,
          cores: s.cores,
          memoryMb: s.memoryMb,
          diskGb: s.diskGb,
        }
      : {}),
    lastError:
      result.data.retired === null
        ? `Restored; the old guest could not be destroyed (see job ${job.id}): remove it by hand`
        : null,
  };
}

/** The commit a snapshot was taken at (its description `… commit <sha>`), if it says. */
export function snapshotCommit(job: JobRow, name: string | undefined): string | null {
  const r = appSnapshotResultSchema.safeParse(job.result);
  if (!r.success || !name) return null;
  const d = r.data.snapshots.find((s) => s.name === name)?.description ?? "";
  return /commit ([0-9a-f]{7,64})/.exec(d)?.[1] ?? null;
}
