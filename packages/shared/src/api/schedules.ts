import { z } from "zod";

// Schedules that live on the node: REST bodies shared with the UI.

export const SCHEDULE_KIND_VALUES = ["backup", "drill", "update-check"] as const;

const cron = z.string().min(1).max(200).meta({
  description:
    "A cron expression as croner reads it, in UTC: 5 fields (minute first), or 6 with seconds first",
  example: "0 3 * * *",
});

export const scheduleSchema = z
  .object({
    id: z.string(),
    appId: z.string(),
    kind: z.enum(SCHEDULE_KIND_VALUES),
    cron: z.string(),
    enabled: z.boolean(),
    nextRuns: z.array(z.string()).meta({ description: "The next 3 run times (ISO, UTC); empty when off" }),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .meta({ id: "Schedule" });
export type Schedule = z.infer<typeof scheduleSchema>;

export const scheduleRunSchema = z
  .object({
    id: z.string(),
    scheduleId: z.string(),
    kind: z.enum(SCHEDULE_KIND_VALUES),
    scheduledAt: z.string(),
    status: z.enum(["running", "succeeded", "failed", "cancelled", "missed"]),
    jobId: z.string().nullable(),
    error: z.string().nullable(),
    finishedAt: z.string().nullable(),
  })
  .meta({ id: "ScheduleRun" });
export type ScheduleRun = z.infer<typeof scheduleRunSchema>;

export const scheduleListSchema = z
  .object({
    items: z.array(scheduleSchema),
    nodeDefault: z
      .object({ cron: z.string(), nextRuns: z.array(z.string()), applies: z.boolean() })
      .nullable()
      .meta({
        description: "The node's default backup schedule; `applies` when the app has no backup schedule",
      }),
    runs: z
      .array(scheduleRunSchema)
      .meta({ description: "The latest runs the node made or missed, newest first" }),
  })
  .meta({ id: "ScheduleList" });
export type ScheduleList = z.infer<typeof scheduleListSchema>;

export const scheduleCreateBodySchema = z
  .object({ kind: z.enum(SCHEDULE_KIND_VALUES), cron, enabled: z.boolean().optional() })
  .strict();
export const scheduleUpdateBodySchema = z
  .object({ cron: cron.optional(), enabled: z.boolean().optional() })
  .strict();
export const nodeScheduleBodySchema = z
  .object({ backupCron: cron.nullable().meta({ description: "null: no default schedule" }) })
  .strict();
