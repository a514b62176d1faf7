// Runs the agent made of its schedules (or missed while it was down), recorded once per job id
// however often the agent sends them: its `run` frame comes before the job's events, again with
// every resend until the job's result is acknowledged.
import { type AgentFrame, jobParamsSchemas, SCHEDULED_JOB_PREFIX } from "@pylon/shared";
import { and, desc, eq } from "drizzle-orm";
import {
  apps,
  backups,
  jobs,
  SCHEDULE_KINDS,
  type ScheduleKind,
  type ScheduleRunRow,
  type ScheduleRunStatus,
  scheduleRuns,
} from "../db/schema/index.ts";
import type { AppDeps } from "../deps.ts";
import { newId } from "../lib/ids.ts";
import { stateOf } from "./backups.ts";

type Deps = Pick<AppDeps, "db" | "now" | "bus">;
type RunFrame = Extract<AgentFrame, { type: "run" }>;

/** Why a run frame is refused (for good: the agent drops the job), or null when recorded. */
export type RunOutcome = { ok: true } | { ok: false; message: string };

const scheduleKindOf = (s: string): ScheduleKind =>
  (SCHEDULE_KINDS as readonly string[]).includes(s) ? (s as ScheduleKind) : "backup";

/**
 * Records a scheduled run (and its job, which then takes the agent's events like any other; and
 * for a backup, the backup row its result completes). A run already recorded changes nothing.
 */
export async function recordRun(deps: Deps, nodeId: string, frame: RunFrame): Promise<RunOutcome> {
  if (!frame.jobId.startsWith(SCHEDULED_JOB_PREFIX))
    return { ok: false, message: `a scheduled run's job id starts with ${SCHEDULED_JOB_PREFIX}` };
  const [known] = await deps.db.select({ nodeId: jobs.nodeId }).from(jobs).where(eq(jobs.id, frame.jobId));
  if (known) return known.nodeId === nodeId ? { ok: true } : { ok: false, message: "not this node's job" };
  const [app] = await deps.db.select().from(apps).where(eq(apps.id, frame.appId));
  if (!app || app.nodeId !== nodeId)
    return { ok: false, message: `app ${frame.appId} is not on this node (deleted or moved)` };
  const params = jobParamsSchemas[frame.kind].safeParse(frame.params);
  if (!params.success || (params.data as { appId?: string }).appId !== app.id)
    return { ok: false, message: `the run's params are not a valid ${frame.kind} job of app ${app.id}` };
  const now = deps.now();
  const inserted = await deps.db
    .insert(jobs)
    .values({
      id: frame.jobId,
      nodeId,
      kind: frame.kind,
      params: params.data,
      appId: app.id,
      status: "running",
      attempts: 1,
      requestedBy: "schedule",
      createdAt: now,
      updatedAt: now,
      offeredAt: now,
      startedAt: frame.missed ? null : now,
    })
    .onConflictDoNothing()
    .returning({ id: jobs.id });
  if (!inserted.length) return { ok: true };
  await deps.db.insert(scheduleRuns).values({
    id: frame.jobId,
    scheduleId: frame.scheduleId,
    appId: app.id,
    nodeId,
    kind: scheduleKindOf(frame.schedule),
    scheduledAt: frame.scheduledAt,
    status: frame.missed ? "missed" : "running",
    jobId: frame.missed ? null : frame.jobId,
    error: frame.missed ? "The agent was not running at the scheduled time" : null,
    createdAt: now,
    finishedAt: frame.missed ? now : null,
  });
  if (frame.kind === "app.backup" && !frame.missed) {
    const p = jobParamsSchemas["app.backup"].parse(params.data);
    await deps.db.insert(backups).values({
      id: newId("bkp"),
      appId: app.id,
      appName: app.name,
      nodeId,
      vmid: p.vmid,
      guestType: p.type,
      storage: p.storage,
      volid: null,
      status: "running",
      sizeBytes: null,
      takenAt: frame.scheduledAt,
      note: "scheduled",
      protected: false,
      appState: await stateOf(deps, app),
      jobId: frame.jobId,
      error: null,
      drillStatus: null,
      drillAt: null,
      drillDetail: null,
      drillJobId: null,
      createdAt: now,
      updatedAt: now,
    });
  }
  return { ok: true };
}

/** A scheduled run's job ended: the run takes its outcome (a missed run stays missed). */
export async function finishRun(
  deps: Pick<AppDeps, "db" | "now">,
  jobId: string,
  status: "succeeded" | "failed" | "cancelled" | "lost",
  error: string | null,
): Promise<ScheduleRunRow | undefined> {
  if (!jobId.startsWith(SCHEDULED_JOB_PREFIX)) return undefined;
  const final: ScheduleRunStatus = status === "lost" ? "failed" : status;
  const [row] = await deps.db
    .update(scheduleRuns)
    .set({ status: final, error, finishedAt: deps.now() })
    .where(and(eq(scheduleRuns.id, jobId), eq(scheduleRuns.status, "running")))
    .returning();
  return row;
}

/** An app's scheduled and missed runs, newest first. */
export function listRuns(deps: Pick<AppDeps, "db">, appId: string, limit = 50): Promise<ScheduleRunRow[]> {
  return deps.db
    .select()
    .from(scheduleRuns)
    .where(eq(scheduleRuns.appId, appId))
    .orderBy(desc(scheduleRuns.scheduledAt))
    .limit(limit);
}
