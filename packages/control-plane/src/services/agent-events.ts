// Events an agent sends for its jobs: stored once per (job, seq), only for the node's own
// unfinished jobs, strictly in order, within a per-job output budget (issue 10: a stolen
// credential filled 280 MB in 7 s with events at any seq, on finished jobs too).
import { type AgentFrame, inventorySchema, jsonBytes, SCHEDULED_JOB_PREFIX } from "@pylon/shared";
import { eq, sql } from "drizzle-orm";
import { prepared } from "../db/prepared.ts";
import { jobs, nodes } from "../db/schema/index.ts";
import type { AppDeps } from "../deps.ts";
import { failJob } from "./agent-jobs.ts";
import { applyAppJobResult, applyStepFacts } from "./app-results.ts";
import { isFinal } from "./jobs.ts";
import { finishRun } from "./schedule-runs.ts";

type Deps = Pick<AppDeps, "db" | "now" | "bus">;
type EventFrame = Extract<AgentFrame, { type: "event" }>;

/** Output a job may store by default (its events as sent); the result event is not counted. */
export const DEFAULT_JOB_OUTPUT_BYTES = 16 * 1024 * 1024;

/**
 * What became of an event. Stored (or stored before): acknowledge `ack`. Refused: tell the agent
 * why; `retry` when sending it again later can succeed (out of order), and `ended` when the
 * refusal ended the job (its output limit).
 */
export type EventOutcome =
  | { stored: true; ack: number; final: boolean }
  | { stored: false; message: string; retry: boolean; ended: boolean };

const refused = (message: string, retry = false, ended = false): EventOutcome => ({
  stored: false,
  message,
  retry,
  ended,
});

function jobOf(deps: Deps, jobId: string) {
  return prepared(deps.db, "jobForEvent", (db) =>
    db
      .select({
        id: jobs.id,
        nodeId: jobs.nodeId,
        kind: jobs.kind,
        status: jobs.status,
        attempts: jobs.attempts,
        lastSeq: jobs.lastSeq,
        eventBytes: jobs.eventBytes,
      })
      .from(jobs)
      .where(eq(jobs.id, sql.placeholder("id")))
      .prepare(),
  ).execute({ id: jobId });
}

function size(bytes: number): string {
  return bytes >= 1024 * 1024
    ? `${Math.round((bytes / 1024 / 1024) * 10) / 10} MiB`
    : `${Math.round((bytes / 1024) * 10) / 10} KiB`;
}

/**
 * Stores one event of a node's job and returns what to answer. The rules, in order: the job must
 * be this node's; a seq already stored is a resend (acknowledged again); a finished job takes no
 * more events; a job never offered takes none; the seq must be the next one (no gaps); and the
 * job's stored output stays under `maxOutputBytes` — past it the job fails saying so.
 * `bytes` is the event frame's size as received.
 */
export async function recordEvent(
  deps: Deps,
  nodeId: string,
  frame: EventFrame,
  opts: { bytes?: number; maxOutputBytes?: number } = {},
): Promise<EventOutcome> {
  const bytes = opts.bytes ?? jsonBytes(frame);
  const maxOutput = opts.maxOutputBytes ?? DEFAULT_JOB_OUTPUT_BYTES;
  for (let tries = 0; ; tries++) {
    const [job] = await jobOf(deps, frame.jobId);
    // A scheduled run's events follow its `run` frame; when that could not be stored yet, later.
    if (!job && frame.jobId.startsWith(SCHEDULED_JOB_PREFIX))
      return refused(`scheduled run ${frame.jobId} is not recorded yet; send its run frame again`, true);
    if (!job || job.nodeId !== nodeId) return refused(`job ${frame.jobId} is not this node's`);
    if (frame.seq <= job.lastSeq) return { stored: true, ack: job.lastSeq, final: false };
    if (isFinal(job.status))
      return refused(`job ${job.id} has ended (${job.status}); events after its result are refused`);
    if (job.status === "queued" && job.attempts === 0)
      return refused(`job ${job.id} was not offered to this node`);
    if (frame.seq !== job.lastSeq + 1)
      return refused(
        `job ${job.id}: event ${frame.seq} is out of order; the next one is ${job.lastSeq + 1}`,
        true,
      );
    const ev = frame.event;
    const final = ev.kind === "result";
    // The result is never counted: a job that used its budget still reports how it ended.
    if (!final && job.eventBytes + bytes > maxOutput) {
      await failJob(
        deps,
        nodeId,
        job.id,
        "failed",
        `The job's output exceeded the limit of ${size(maxOutput)}; it was stopped`,
      );
      return refused(
        `job ${job.id}: output limit of ${size(maxOutput)} exceeded; the job has failed`,
        false,
        true,
      );
    }
    const now = deps.now();
    const error =
      final && ev.error ? (ev.error.step ? `${ev.error.step}: ${ev.error.message}` : ev.error.message) : null;
    // The node and the app take the outcome before the job shows it: whoever sees the job finished
    // then reads them updated (over a remote database the gap between the writes is several round
    // trips). Applying it twice (the same event stored by another process, or sent again after a
    // crash) changes nothing.
    if (final && ev.status === "succeeded" && job.kind === "node.inventory") {
      const inv = inventorySchema.safeParse(ev.result);
      if (inv.success) {
        await deps.db
          .update(nodes)
          .set({ inventory: inv.data, inventoryAt: now, pveVersion: inv.data.pveVersion })
          .where(eq(nodes.id, nodeId));
      }
    }
    if (final) {
      const [row] = await deps.db.select().from(jobs).where(eq(jobs.id, job.id));
      if (row)
        await applyAppJobResult(deps, {
          ...row,
          status: ev.status,
          finishedAt: now,
          result: ev.result ?? null,
          error,
        });
    }
    // One conditional write: the job moves on only from the state read above (another process
    // may be storing the same seq), and the event row is written only if it did (changes()).
    const [moved] = await deps.db.batch([
      deps.db
        .update(jobs)
        .set({
          lastSeq: frame.seq,
          eventBytes: sql`${jobs.eventBytes} + ${final ? 0 : bytes}`,
          updatedAt: now,
          // An event proves the agent runs the job, also when its accept was lost.
          status: final ? ev.status : "running",
          startedAt: sql`coalesce(${jobs.startedAt}, ${now})`,
          ...(final ? { finishedAt: now, result: ev.result ?? null, error } : {}),
        })
        .where(
          sql`${jobs.id} = ${job.id} and ${jobs.lastSeq} = ${job.lastSeq} and ${jobs.status} in ('queued', 'offered', 'running')`,
        ),
      deps.db.run(
        sql`insert into job_events (job_id, seq, at, event) select ${job.id}, ${frame.seq}, ${frame.at}, ${JSON.stringify(ev)} where changes() = 1`,
      ),
    ]);
    if (moved.rowsAffected === 0) {
      if (tries < 2) continue;
      return refused(`job ${job.id} changed while its event ${frame.seq} was stored; send it again`, true);
    }
    if (final && ev.kind === "result") await finishRun(deps, job.id, ev.status, error);
    // What a deploy step learnt (the guest's id, its address) shows on the app while it runs.
    if (ev.kind === "step" && ev.facts && job.kind === "app.deploy")
      await applyStepFacts(deps, job.id, ev.facts);
    await deps.bus.publish({ topic: "job.event", nodeId, jobId: job.id });
    return { stored: true, ack: frame.seq, final };
  }
}
