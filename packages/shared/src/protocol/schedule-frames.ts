import { z } from "zod";
import { jobKindSchema } from "./jobs.ts";

// Schedules that live on the node (issue 12). Both frames are additions to protocol v1: an
// agent that predates them answers `schedules` with a protocol error the control plane only
// logs; a control plane that predates them never sends `schedules`, so no agent sends `run`.

const v = z.literal(1);

/** The most schedules one node holds (a `schedules` frame carries them all; it stays under the frame limit). */
export const MAX_NODE_SCHEDULES = 2000;

/**
 * Job ids of scheduled runs are made by the agent: `run_<scheduleId without _>z<scheduled time,
 * base 36 ms>`, a Pylon id (one `_`) so the jobs API takes it.
 */
export const SCHEDULED_JOB_PREFIX = "run_";

/** The job id of one run of a schedule: the same run always gets the same id (idempotency key). */
export function scheduledJobId(scheduleId: string, scheduledAt: number): string {
  return `${SCHEDULED_JOB_PREFIX}${scheduleId.replace(/[^a-z0-9]/gi, "").toLowerCase()}z${scheduledAt.toString(36)}`;
}

/**
 * One schedule as the agent keeps it: when (croner expression, read in `timezone`) and the job
 * it builds for each run (`kind` and `params`, complete: the agent needs nothing else).
 */
export const nodeScheduleSchema = z.object({
  id: z.string().min(1).max(40),
  appId: z.string().max(64),
  /** What the schedule is, as the control plane names it (backup, drill, …). */
  schedule: z.string().max(40),
  cron: z.string().min(1).max(200),
  timezone: z.string().max(64),
  kind: jobKindSchema,
  params: z.unknown(),
});
export type NodeSchedule = z.infer<typeof nodeScheduleSchema>;

/**
 * cp -> agent: the node's schedules, all of them (replaces what the agent held). Sent after
 * welcome and whenever they change; the agent keeps them in its state directory and runs them
 * also while the link is down.
 */
export const schedulesFrame = z.object({
  v,
  type: z.literal("schedules"),
  schedules: z.array(nodeScheduleSchema).max(MAX_NODE_SCHEDULES),
});

/**
 * agent -> cp: a scheduled run the agent made (journaled as job `jobId`, whose events follow),
 * or one it `missed` because it was down at `scheduledAt` (its one event is a failed result).
 * Sent before the job's events, again with every resend until the job's result is acknowledged;
 * the control plane records it once per job id.
 */
export const runFrame = z.object({
  v,
  type: z.literal("run"),
  jobId: z.string().min(1).max(64),
  scheduleId: z.string().min(1).max(40),
  appId: z.string().max(64),
  schedule: z.string().max(40),
  kind: jobKindSchema,
  params: z.unknown(),
  scheduledAt: z.number().int(),
  missed: z.boolean(),
});
