// Which finished jobs announce a failure through the notification webhook (services/notifications.ts).
import { appDrillResultSchema } from "@pylon/shared";
import { eq } from "drizzle-orm";
import { apps, jobs, nodes, scheduleRuns } from "../db/schema/index.ts";
import type { AppDeps } from "../deps.ts";
import { type Notice, notify } from "./notifications.ts";

type Deps = Pick<AppDeps, "db" | "now" | "secretKey" | "logger">;

/** The notice a finished job calls for, or null (it went well, or its kind is not announced). */
export async function jobNotice(deps: Pick<AppDeps, "db">, jobId: string): Promise<Notice | null> {
  const [job] = await deps.db.select().from(jobs).where(eq(jobs.id, jobId));
  if (!job) return null;
  const failed = job.status === "failed" || job.status === "lost";
  const drill = job.kind === "app.drill" ? appDrillResultSchema.safeParse(job.result) : null;
  const drillFailed = drill?.success && !drill.data.passed;
  if (!failed && !drillFailed) return null;
  const [app] = job.appId
    ? await deps.db.select({ name: apps.name }).from(apps).where(eq(apps.id, job.appId))
    : [];
  const [node] = await deps.db.select({ name: nodes.name }).from(nodes).where(eq(nodes.id, job.nodeId));
  const [run] = await deps.db.select().from(scheduleRuns).where(eq(scheduleRuns.id, job.id));
  const who = app?.name ?? job.appId ?? "an app";
  const why = drillFailed && drill?.success ? drill.data.detail : (job.error ?? job.status);
  const base = { app: app?.name ?? null, node: node?.name ?? null };
  if (run?.status === "missed")
    return { ...base, event: "schedule.missed", title: `Scheduled ${run.kind} of ${who} missed`, text: why };
  switch (job.kind) {
    case "app.backup":
      return { ...base, event: "backup.failed", title: `Backup of ${who} failed`, text: why };
    case "app.drill":
      return { ...base, event: "drill.failed", title: `Restore drill of ${who} failed`, text: why };
    case "app.deploy":
      return { ...base, event: "deploy.failed", title: `Deploy of ${who} failed`, text: why };
    default:
      return null;
  }
}

/** Announces a finished job's failure in the background (never throws, never waits for the receiver). */
export async function announceJob(deps: Deps, jobId: string): Promise<void> {
  const notice = await jobNotice(deps, jobId);
  if (notice) notify(deps, notice);
}
