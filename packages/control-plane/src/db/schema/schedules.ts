import { index, integer, sqliteTable, text, uniqueIndex } from "drizzle-orm/sqlite-core";
import { apps } from "./apps.ts";

/** What a schedule runs. `update-check` runs on the control plane (services/update-check-schedules.ts); agents skip it. */
export const SCHEDULE_KINDS = ["backup", "drill", "update-check"] as const;
export type ScheduleKind = (typeof SCHEDULE_KINDS)[number];

export const SCHEDULE_RUN_STATUSES = ["running", "succeeded", "failed", "cancelled", "missed"] as const;
export type ScheduleRunStatus = (typeof SCHEDULE_RUN_STATUSES)[number];

/**
 * An app's schedules, one per kind: a cron expression (croner syntax, validated with the library
 * the agent runs them with) that the node's agent keeps and runs itself, also while the control
 * plane is unreachable. Pushed to the agent on connect and on every change.
 */
export const schedules = sqliteTable(
  "schedules",
  {
    id: text().primaryKey(),
    appId: text()
      .notNull()
      .references(() => apps.id, { onDelete: "cascade" }),
    kind: text({ enum: SCHEDULE_KINDS }).notNull(),
    cron: text().notNull(),
    enabled: integer({ mode: "boolean" }).notNull().default(true),
    createdAt: integer().notNull(),
    updatedAt: integer().notNull(),
  },
  (t) => [uniqueIndex("schedules_app_kind_idx").on(t.appId, t.kind)],
);
export type ScheduleRow = typeof schedules.$inferSelect;

/**
 * Runs of schedules as the agent reported them: one per (schedule, scheduled time), its job id
 * the agent's own (`sch_…`), or a run the agent missed while it was down (`missed`, no job).
 * `scheduleId` has no foreign key: runs of a removed schedule (or of a node's default) stay.
 */
export const scheduleRuns = sqliteTable(
  "schedule_runs",
  {
    id: text().primaryKey(),
    scheduleId: text().notNull(),
    appId: text().notNull(),
    nodeId: text().notNull(),
    kind: text({ enum: SCHEDULE_KINDS }).notNull(),
    scheduledAt: integer().notNull(),
    status: text({ enum: SCHEDULE_RUN_STATUSES }).notNull(),
    /** The job the run made (null for a missed run). */
    jobId: text(),
    error: text(),
    createdAt: integer().notNull(),
    finishedAt: integer(),
  },
  (t) => [
    index("schedule_runs_app_idx").on(t.appId, t.scheduledAt),
    index("schedule_runs_job_idx").on(t.jobId),
  ],
);
export type ScheduleRunRow = typeof scheduleRuns.$inferSelect;
