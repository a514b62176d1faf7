// Job state changes driven by an agent's frames. Each is one conditional write, so a frame
// delivered twice, or handled by two processes, changes the job once.
import { type AgentFrame, inventorySchema } from "@pylon/shared";
import { and, eq, inArray, lte, sql } from "drizzle-orm";
import { prepared } from "../db/prepared.ts";
import { type JobRow, jobEvents, jobs, nodes } from "../db/schema/index.ts";
import type { AppDeps } from "../deps.ts";
import { open } from "../lib/secret-box.ts";
import { applyAppJobResult } from "./app-results.ts";
import { isFinal } from "./jobs.ts";

type Deps = Pick<AppDeps, "db" | "now" | "bus">;
type EventFrame = Extract<AgentFrame, { type: "event" }>;

/**
 * The params as the agent receives them: a job's sealed part (secrets, deploy key, a compose
 * file with generated passwords) is decrypted and merged in only here, on the way to the socket.
 */
export async function offerParams(secretKey: string, job: JobRow): Promise<unknown> {
  if (!job.secretParamsBox) return job.params;
  const sealed = await open<{ compose?: string } & Record<string, unknown>>(secretKey, job.secretParamsBox);
  const { compose, ...rest } = sealed;
  const params = job.params as Record<string, unknown>;
  const source = params.source as Record<string, unknown> | undefined;
  return {
    ...params,
    ...rest,
    ...(compose !== undefined && source ? { source: { ...source, compose } } : {}),
  };
}

/** Queued jobs of a node that may be offered now, oldest first. */
export async function offerableJobs(deps: Deps, nodeId: string, limit: number): Promise<JobRow[]> {
  return deps.db
    .select()
    .from(jobs)
    .where(and(eq(jobs.nodeId, nodeId), eq(jobs.status, "queued"), lte(jobs.notBefore, deps.now())))
    .orderBy(jobs.id)
    .limit(limit);
}

/** Jobs a node's agent has been offered or is running. */
export async function inFlightJobs(deps: Deps, nodeId: string): Promise<JobRow[]> {
  return deps.db
    .select()
    .from(jobs)
    .where(and(eq(jobs.nodeId, nodeId), inArray(jobs.status, ["offered", "running"])));
}

/** queued → offered (attempt + 1); null when another process took it first. */
export async function markOffered(deps: Deps, jobId: string): Promise<JobRow | null> {
  const now = deps.now();
  const [row] = await deps.db
    .update(jobs)
    .set({ status: "offered", attempts: sql`${jobs.attempts} + 1`, offeredAt: now, updatedAt: now })
    .where(and(eq(jobs.id, jobId), eq(jobs.status, "queued")))
    .returning();
  return row ?? null;
}

/** Puts an offered job back in the queue (offer lost, or the agent was busy). */
export async function requeue(deps: Deps, nodeId: string, jobId: string, delayMs: number): Promise<void> {
  const now = deps.now();
  await deps.db
    .update(jobs)
    .set({ status: "queued", notBefore: now + delayMs, updatedAt: now })
    .where(and(eq(jobs.id, jobId), eq(jobs.nodeId, nodeId), eq(jobs.status, "offered")));
}

/** The agent journaled the job: offered → running. */
export async function markAccepted(deps: Deps, nodeId: string, jobId: string): Promise<void> {
  const now = deps.now();
  await deps.db
    .update(jobs)
    .set({ status: "running", startedAt: sql`coalesce(${jobs.startedAt}, ${now})`, updatedAt: now })
    .where(and(eq(jobs.id, jobId), eq(jobs.nodeId, nodeId), inArray(jobs.status, ["queued", "offered"])));
}

/** Ends a job that will not run or whose fate is unknown, with the reason. */
export async function failJob(
  deps: Deps,
  nodeId: string,
  jobId: string,
  status: "failed" | "lost",
  error: string,
): Promise<void> {
  const now = deps.now();
  const [row] = await deps.db
    .update(jobs)
    .set({ status, error, finishedAt: now, updatedAt: now })
    .where(
      and(
        eq(jobs.id, jobId),
        eq(jobs.nodeId, nodeId),
        inArray(jobs.status, ["queued", "offered", "running"]),
      ),
    )
    .returning();
  if (row) {
    await applyAppJobResult(deps, row);
    await deps.bus.publish({ topic: "job.event", nodeId, jobId });
  }
}

function jobOf(deps: Deps, jobId: string) {
  return prepared(deps.db, "jobForEvent", (db) =>
    db
      .select({
        id: jobs.id,
        nodeId: jobs.nodeId,
        kind: jobs.kind,
        status: jobs.status,
        lastSeq: jobs.lastSeq,
      })
      .from(jobs)
      .where(eq(jobs.id, sql.placeholder("id")))
      .prepare(),
  ).execute({ id: jobId });
}

/**
 * Stores one event (once per seq) and returns the seq to acknowledge: the highest stored with
 * none missing below it. Null when the job is not this node's.
 */
export async function recordEvent(deps: Deps, nodeId: string, frame: EventFrame): Promise<number | null> {
  const [job] = await jobOf(deps, frame.jobId);
  if (!job || job.nodeId !== nodeId) return null;
  if (frame.seq <= job.lastSeq) return job.lastSeq;
  const now = deps.now();
  let lastSeq = job.lastSeq;
  if (frame.seq === job.lastSeq + 1) {
    lastSeq = frame.seq;
  } else {
    // A gap: keep this event, acknowledge only up to what is complete.
    await deps.db
      .insert(jobEvents)
      .values({ jobId: job.id, seq: frame.seq, at: frame.at, event: frame.event })
      .onConflictDoNothing();
    return job.lastSeq;
  }
  // Events stored earlier beyond a gap this one fills.
  const later = await deps.db
    .select({ seq: jobEvents.seq })
    .from(jobEvents)
    .where(and(eq(jobEvents.jobId, job.id), sql`${jobEvents.seq} > ${frame.seq}`))
    .orderBy(jobEvents.seq);
  for (const r of later) if (r.seq === lastSeq + 1) lastSeq = r.seq;

  const ev = frame.event;
  const final = ev.kind === "result" && !isFinal(job.status);
  const outcome = final
    ? {
        status: ev.status,
        finishedAt: now,
        result: ev.result ?? null,
        error: ev.error ? (ev.error.step ? `${ev.error.step}: ${ev.error.message}` : ev.error.message) : null,
      }
    : {};
  // The node and the app take the outcome before the job shows it: whoever sees the job finished
  // then reads them updated (over a remote database the gap between the writes is several round
  // trips). Applying it twice, if the event comes again after a crash, changes nothing.
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
    if (row) await applyAppJobResult(deps, { ...row, ...outcome });
  }
  await deps.db.batch([
    deps.db
      .insert(jobEvents)
      .values({ jobId: job.id, seq: frame.seq, at: frame.at, event: ev })
      .onConflictDoNothing(),
    deps.db
      .update(jobs)
      .set({ lastSeq, updatedAt: now, ...outcome })
      .where(eq(jobs.id, job.id)),
  ]);
  await deps.bus.publish({ topic: "job.event", nodeId, jobId: job.id });
  return lastSeq;
}
