import { eventFrame } from "@pylon/shared/protocol/index";
import { z } from "zod";

const jobId = z.string().min(1).max(64);

/** Where a job the agent made itself comes from: a run of one of its schedules (or one it missed). */
export const jobOriginSchema = z.object({
  scheduleId: z.string(),
  appId: z.string(),
  schedule: z.string(),
  scheduledAt: z.number(),
  missed: z.boolean(),
});
export type JobOrigin = z.infer<typeof jobOriginSchema>;

/** The body of one job event as it travels in an `event` frame. */
export const jobEventSchema = eventFrame.shape.event;
export type JobEvent = z.infer<typeof jobEventSchema>;

/** One event in the outbox, numbered per job. */
export interface StoredEvent {
  seq: number;
  at: number;
  event: JobEvent;
}

/**
 * One line of the journal. Lines are validated on replay like wire data: the file may have
 * been cut mid-write by a crash or written by another agent version.
 */
export const journalRecordSchema = z.discriminatedUnion("t", [
  /** The job was offered and accepted; written (fsynced) before `accept` is sent. */
  z.object({
    t: z.literal("accept"),
    jobId,
    kind: z.string(),
    /** The params without their secret values (see sealing.ts). */
    params: z.unknown(),
    /** The secret values, sealed with the journal key; absent when the job carries none. */
    sealed: z.string().optional(),
    attempt: z.number().int().min(1),
    at: z.number(),
    /** Set for a scheduled run: the agent made the job itself (no offer). */
    origin: jobOriginSchema.optional(),
  }),
  /** A step boundary a handler needs to resume (e.g. the UPID of a task it started). */
  z.object({ t: z.literal("check"), jobId, name: z.string(), data: z.unknown() }),
  /** An event in the outbox, kept until acked. */
  z.object({
    t: z.literal("event"),
    jobId,
    seq: z.number().int().min(1),
    at: z.number(),
    event: jobEventSchema,
  }),
  /** The control plane stored events up to `seq` (not fsynced: losing it only causes a resend). */
  z.object({ t: z.literal("ack"), jobId, seq: z.number().int().min(0) }),
  /** Tombstone of a finished, fully acked job, so a late duplicate offer is not run again. */
  z.object({ t: z.literal("done"), jobId, at: z.number() }),
]);
export type JournalRecord = z.infer<typeof journalRecordSchema>;

/** A job the journal holds. */
export interface JobEntry {
  jobId: string;
  kind: string;
  /** The full params, secrets merged back in (only the sealed form is ever written). */
  params: unknown;
  /** The sealed secret part as written in the journal. */
  sealed?: string;
  /** Why the secret part could not be read back after a restart; the job then fails saying so. */
  unreadable?: string;
  attempt: number;
  acceptedAt: number;
  /** A scheduled run's schedule and time (the job was not offered). */
  origin?: JobOrigin;
  checkpoints: Map<string, unknown>;
  /** Events not yet acknowledged, in seq order. */
  outbox: StoredEvent[];
  lastSeq: number;
  ackedSeq: number;
  /** The job has produced its result event. */
  finished: boolean;
}
