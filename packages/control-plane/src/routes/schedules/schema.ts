import { z } from "@hono/zod-openapi";
import { idSchema, type Schedule, type ScheduleRun } from "@pylon/shared";
import type { ScheduleRow, ScheduleRunRow } from "../../db/schema/index.ts";
import { iso, isoOrNull } from "../../lib/time.ts";
import { nextRuns } from "../../services/schedules.ts";

export const appIdParams = z.object({ id: idSchema });
export const scheduleParams = z.object({ id: idSchema, scheduleId: idSchema });

/** The API view of a schedule, with its next 3 run times after `now`. */
export function toSchedule(row: ScheduleRow, now: number): Schedule {
  return {
    id: row.id,
    appId: row.appId,
    kind: row.kind,
    cron: row.cron,
    enabled: row.enabled,
    nextRuns: row.enabled ? nextRuns(row.cron, 3, now).map(iso) : [],
    createdAt: iso(row.createdAt),
    updatedAt: iso(row.updatedAt),
  };
}

/** The API view of a run. */
export function toScheduleRun(row: ScheduleRunRow): ScheduleRun {
  return {
    id: row.id,
    scheduleId: row.scheduleId,
    kind: row.kind,
    scheduledAt: iso(row.scheduledAt),
    status: row.status,
    jobId: row.jobId,
    error: row.error,
    finishedAt: isoOrNull(row.finishedAt),
  };
}
