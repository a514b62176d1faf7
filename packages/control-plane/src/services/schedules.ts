// Schedules that live on the node (issue 12): an app's backup, drill (and update-check) cron
// expressions, validated here with croner (the library the agent runs them with), pushed to the
// node's agent on connect and on every change, run there also while this control plane is down.
import { Cron } from "croner";
import { and, asc, eq, inArray } from "drizzle-orm";
import {
  apps,
  nodes,
  SCHEDULE_KINDS,
  type ScheduleKind,
  type ScheduleRow,
  schedules,
} from "../db/schema/index.ts";
import type { AppDeps } from "../deps.ts";
import { ApiError, notFound } from "../errors.ts";
import { newId } from "../lib/ids.ts";

type Deps = Pick<AppDeps, "db" | "now" | "bus">;

/** Schedules are read in UTC, here and on the agent (a node's local zone is not known here). */
export const SCHEDULE_TIMEZONE = "UTC";

export { SCHEDULE_KINDS, type ScheduleKind };

/** A 400 naming the field and the expression croner refused, with croner's reason. */
function badCron(path: string, cron: string, why: string): ApiError {
  const message = `'${cron}' is not a valid cron expression: ${why.replace(/^CronPattern: /, "")}`;
  return new ApiError("validation_failed", `Invalid request body: ${path} ${message}`, {
    fields: [{ path, message }],
  });
}

/** Checks a cron expression with croner (5, 6 or 7 fields; seconds first when 6); throws a 400 naming it. */
export function validateCron(cron: string, path = "cron"): string {
  const text = cron.trim();
  if (!text) throw badCron(path, cron, "it is empty");
  let job: Cron;
  try {
    job = new Cron(text, { timezone: SCHEDULE_TIMEZONE, paused: true });
  } catch (err) {
    throw badCron(path, cron, err instanceof Error ? err.message : String(err));
  }
  const next = job.nextRun();
  job.stop();
  if (!next) throw badCron(path, cron, "it never fires again");
  return text;
}

/** The next `n` run times of a cron expression after `from` (ms). */
export function nextRuns(cron: string, n: number, from: number): number[] {
  const job = new Cron(cron, { timezone: SCHEDULE_TIMEZONE, paused: true });
  try {
    return job.nextRuns(n, new Date(from)).map((d) => d.getTime());
  } finally {
    job.stop();
  }
}

/** Tells the process holding the node's agent that its schedules changed (pushed at once). */
export async function schedulesChanged(deps: Pick<AppDeps, "bus">, nodeId: string): Promise<void> {
  await deps.bus.publish({ topic: "schedules.changed", nodeId, jobId: null });
}

async function nodeOfApp(deps: Pick<AppDeps, "db">, appId: string): Promise<string> {
  const [app] = await deps.db.select({ nodeId: apps.nodeId }).from(apps).where(eq(apps.id, appId));
  if (!app) throw notFound("App");
  return app.nodeId;
}

/** An app's schedules, by kind. */
export function listSchedules(deps: Pick<AppDeps, "db">, appId: string): Promise<ScheduleRow[]> {
  return deps.db.select().from(schedules).where(eq(schedules.appId, appId)).orderBy(asc(schedules.kind));
}

/** One schedule of the app, or a 404. */
export async function getSchedule(
  deps: Pick<AppDeps, "db">,
  appId: string,
  scheduleId: string,
): Promise<ScheduleRow> {
  const [row] = await deps.db
    .select()
    .from(schedules)
    .where(and(eq(schedules.id, scheduleId), eq(schedules.appId, appId)));
  if (!row) throw notFound("Schedule");
  return row;
}

/** Adds a schedule of a kind the app has none of yet (a 409 if it has one: change that one). */
export async function createSchedule(
  deps: Deps,
  appId: string,
  body: { kind: ScheduleKind; cron: string; enabled?: boolean | undefined },
): Promise<ScheduleRow> {
  const cron = validateCron(body.cron);
  const nodeId = await nodeOfApp(deps, appId);
  const [existing] = await deps.db
    .select({ id: schedules.id })
    .from(schedules)
    .where(and(eq(schedules.appId, appId), eq(schedules.kind, body.kind)));
  if (existing)
    throw new ApiError(
      "conflict",
      `The app already has a ${body.kind} schedule (${existing.id}); change that one`,
    );
  const now = deps.now();
  const [row] = await deps.db
    .insert(schedules)
    .values({
      id: newId("sch"),
      appId,
      kind: body.kind,
      cron,
      enabled: body.enabled ?? true,
      createdAt: now,
      updatedAt: now,
    })
    .returning();
  await schedulesChanged(deps, nodeId);
  return row!;
}

/** Changes a schedule's expression or turns it on or off. */
export async function updateSchedule(
  deps: Deps,
  row: ScheduleRow,
  body: { cron?: string | undefined; enabled?: boolean | undefined },
): Promise<ScheduleRow> {
  const cron = body.cron === undefined ? row.cron : validateCron(body.cron);
  const [updated] = await deps.db
    .update(schedules)
    .set({ cron, enabled: body.enabled ?? row.enabled, updatedAt: deps.now() })
    .where(eq(schedules.id, row.id))
    .returning();
  await schedulesChanged(deps, await nodeOfApp(deps, row.appId));
  return updated ?? row;
}

/** Removes a schedule; its past runs stay listed. */
export async function deleteSchedule(deps: Deps, row: ScheduleRow): Promise<void> {
  await deps.db.delete(schedules).where(eq(schedules.id, row.id));
  await schedulesChanged(deps, await nodeOfApp(deps, row.appId));
}

/**
 * Makes the app have a `kind` schedule with this expression (creates it, or changes the one it
 * has, turning it on): for automation (the AUTO policy) that must not duplicate schedules.
 */
export async function ensureSchedule(
  deps: Deps,
  appId: string,
  kind: ScheduleKind,
  cron: string,
): Promise<ScheduleRow> {
  const [row] = await deps.db
    .select()
    .from(schedules)
    .where(and(eq(schedules.appId, appId), eq(schedules.kind, kind)));
  if (!row) return createSchedule(deps, appId, { kind, cron });
  if (row.cron === cron.trim() && row.enabled) return row;
  return updateSchedule(deps, row, { cron, enabled: true });
}

/** Removes the `kinds` schedules (all kinds when omitted) of the given apps; returns how many went. */
export async function removeSchedules(
  deps: Deps,
  appIds: string[],
  kinds: readonly ScheduleKind[] = SCHEDULE_KINDS,
): Promise<number> {
  if (!appIds.length || !kinds.length) return 0;
  const gone = await deps.db
    .delete(schedules)
    .where(and(inArray(schedules.appId, appIds), inArray(schedules.kind, [...kinds])))
    .returning({ appId: schedules.appId });
  if (gone.length) {
    const rows = await deps.db
      .selectDistinct({ nodeId: apps.nodeId })
      .from(apps)
      .where(inArray(apps.id, [...new Set(gone.map((g) => g.appId))]));
    for (const r of rows) await schedulesChanged(deps, r.nodeId);
  }
  return gone.length;
}

/** Sets (or clears, with null) the node's default backup schedule. */
export async function setNodeBackupCron(deps: Deps, nodeId: string, cron: string | null): Promise<void> {
  const value = cron === null ? null : validateCron(cron, "backupCron");
  await deps.db.update(nodes).set({ backupCron: value }).where(eq(nodes.id, nodeId));
  await schedulesChanged(deps, nodeId);
}
