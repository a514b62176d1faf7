import {
  FINAL_JOB_STATUSES,
  type Job,
  type JobEvent,
  type JobKind,
  type JobStatus,
  jobParamsSchemas,
  VIEW_JOB_KINDS,
} from "@pylon/shared";
import { and, desc, eq, gt, inArray, lt, notInArray, type SQL } from "drizzle-orm";
import { type JobEventRow, type JobRow, jobEvents, jobs } from "../db/schema/index.ts";
import type { AppDeps } from "../deps.ts";
import { ApiError, notFound } from "../errors.ts";
import { newSortableId } from "../lib/ids.ts";
import { cutPage } from "../lib/page.ts";
import { seal } from "../lib/secret-box.ts";
import { iso, isoOrNull } from "../lib/time.ts";
import { applyAppJobResult } from "./app-results.ts";
import { getNode } from "./nodes.ts";
import { type OutputAccess, type Principal, refusal } from "./principal.ts";

type Deps = Pick<AppDeps, "db" | "now" | "bus" | "secretKey">;

/** Who started a job (`user:<id>`, `token:<id>`, `system`, `webhook`) and who may read its output. */
export interface JobOrigin {
  requestedBy: string | null;
  /** Null: everyone who may read jobs. */
  outputAccess: OutputAccess | null;
}

/** A job Pylon starts by itself (`system`) or on a signed webhook; its output is not private. */
export const serverOrigin = (who: "system" | "webhook"): JobOrigin => ({
  requestedBy: who,
  outputAccess: null,
});

/** Why `reader` may not read this job's output, or null when they may. */
export function outputRefusal(row: JobRow, reader: Principal | null): string | null {
  if (!row.outputAccess) return null;
  if (!reader) return "Sign in to read this job's output";
  const why = refusal(row.outputAccess, reader);
  return why && `This job's output is private to whoever may start it. ${why}`;
}

/**
 * The API view of a job, as `reader` may see it: without its result and error when its output is
 * private to more access than the reader has (`outputHidden`).
 */
export function toJob(row: JobRow, reader: Principal | null): Job {
  const hidden = outputRefusal(row, reader) !== null;
  return {
    id: row.id,
    nodeId: row.nodeId,
    kind: row.kind,
    params: row.params,
    status: row.status,
    attempts: row.attempts,
    requestedBy: row.requestedBy,
    cancelRequested: row.cancelRequested,
    createdAt: iso(row.createdAt),
    updatedAt: iso(row.updatedAt),
    startedAt: isoOrNull(row.startedAt),
    finishedAt: isoOrNull(row.finishedAt),
    result: hidden ? null : (row.result ?? null),
    error: hidden ? null : row.error,
    outputAccess: row.outputAccess ?? null,
    outputHidden: hidden,
  };
}

/** The API view of a stored event. */
export function toJobEvent(row: JobEventRow): JobEvent {
  return { seq: row.seq, at: iso(row.at), event: row.event as JobEvent["event"] };
}

export function isFinal(status: JobStatus): boolean {
  return FINAL_JOB_STATUSES.includes(status);
}

/**
 * Records a job (the row comes first, always), then tells the process holding the node's agent.
 * Refused for nodes without an enrolled agent.
 */
export async function createJob<K extends JobKind>(
  deps: Deps,
  input: {
    nodeId: string;
    kind: K;
    params: unknown;
    origin: JobOrigin;
    sealed?: unknown;
    /** A job id made beforehand (newJobId), when another row must name the job first. */
    id?: string;
  },
): Promise<JobRow> {
  const node = await getNode(deps, input.nodeId);
  if (!node.credentialHash) {
    throw new ApiError("conflict", `Node '${node.name}' has no enrolled agent; install the agent first`);
  }
  const parsed = jobParamsSchemas[input.kind].safeParse(input.params);
  if (!parsed.success) throw new ApiError("validation_failed", `Invalid parameters for ${input.kind}`);
  const now = deps.now();
  const [row] = await deps.db
    .insert(jobs)
    .values({
      id: input.id ?? newSortableId("job", now),
      nodeId: node.id,
      kind: input.kind,
      params: parsed.data,
      appId: appIdOf(parsed.data),
      secretParamsBox: input.sealed === undefined ? null : await seal(deps.secretKey, input.sealed),
      status: "queued",
      requestedBy: input.origin.requestedBy,
      outputAccess: input.origin.outputAccess,
      createdAt: now,
      updatedAt: now,
    })
    .returning();
  await deps.bus.publish({ topic: "job.queued", nodeId: node.id, jobId: row!.id });
  return row!;
}

/** A job id for a job created right after (`createJob({ id })`). */
export function newJobId(deps: Pick<AppDeps, "now">): string {
  return newSortableId("job", deps.now());
}

/**
 * Waits up to `waitMs` for a job to finish (reads for a view: a snapshot list, a prune dry run).
 * Succeeded: its result; failed: a conflict naming the job's own error; still running: 503.
 */
export async function awaitJob(deps: Pick<AppDeps, "db">, jobId: string, what: string, waitMs = 30_000) {
  const deadline = Date.now() + waitMs;
  for (let delay = 50; Date.now() < deadline; delay = Math.min(500, delay * 2)) {
    const job = await getJob(deps, jobId);
    if (job.status === "succeeded") return job.result;
    if (isFinal(job.status)) throw new ApiError("conflict", `${what} failed: ${job.error ?? job.status}`);
    await new Promise((r) => setTimeout(r, delay));
  }
  throw new ApiError("unavailable", `${what} did not finish in time; see job ${jobId}`);
}

function appIdOf(params: unknown): string | null {
  const id = (params as { appId?: unknown } | null)?.appId;
  return typeof id === "string" ? id : null;
}

/** One job or a 404. */
export async function getJob(deps: Pick<AppDeps, "db">, id: string): Promise<JobRow> {
  const [row] = await deps.db.select().from(jobs).where(eq(jobs.id, id));
  if (!row) throw notFound("Job");
  return row;
}

/**
 * Jobs newest first, filtered, paged by id. Log views and diagnostics are left out unless
 * `views` is "true" or one of their kinds is asked for: they are reads, not work on the node.
 */
export async function listJobs(
  deps: Pick<AppDeps, "db">,
  f: {
    node?: string;
    status?: JobStatus;
    kind?: JobKind;
    app?: string;
    views?: "true" | "false";
    cursor?: string;
    limit: number;
  },
): Promise<{ rows: JobRow[]; nextCursor: string | null }> {
  const conds: SQL[] = [];
  if (f.views !== "true" && !f.kind) conds.push(notInArray(jobs.kind, [...VIEW_JOB_KINDS]));
  if (f.node) conds.push(eq(jobs.nodeId, f.node));
  if (f.app) conds.push(eq(jobs.appId, f.app));
  if (f.status) conds.push(eq(jobs.status, f.status));
  if (f.kind) conds.push(eq(jobs.kind, f.kind));
  if (f.cursor) conds.push(lt(jobs.id, f.cursor));
  const rows = await deps.db
    .select()
    .from(jobs)
    .where(conds.length ? and(...conds) : undefined)
    .orderBy(desc(jobs.id))
    .limit(f.limit + 1);
  return cutPage(rows, f.limit);
}

/** A job's events after `after`, in order. */
export async function listJobEvents(
  deps: Pick<AppDeps, "db">,
  jobId: string,
  after: number,
  limit: number,
): Promise<JobEventRow[]> {
  return deps.db
    .select()
    .from(jobEvents)
    .where(and(eq(jobEvents.jobId, jobId), gt(jobEvents.seq, after)))
    .orderBy(jobEvents.seq)
    .limit(limit);
}

/**
 * Cancels a job: a queued one ends at once; an offered or running one is asked to stop and ends
 * when its agent reports the result.
 */
export async function cancelJob(deps: Deps, id: string): Promise<JobRow> {
  const job = await getJob(deps, id);
  if (isFinal(job.status)) throw new ApiError("conflict", `Job already ${job.status}`);
  const now = deps.now();
  const [cancelled] = await deps.db
    .update(jobs)
    .set({
      status: "cancelled",
      finishedAt: now,
      updatedAt: now,
      cancelRequested: true,
      error: "cancelled before it started",
    })
    .where(and(eq(jobs.id, id), eq(jobs.status, "queued")))
    .returning();
  if (cancelled) {
    await applyAppJobResult(deps, cancelled);
    await deps.bus.publish({ topic: "job.event", nodeId: job.nodeId, jobId: id });
    return cancelled;
  }
  const [asked] = await deps.db
    .update(jobs)
    .set({ cancelRequested: true, updatedAt: now })
    .where(and(eq(jobs.id, id), inArray(jobs.status, ["offered", "running"])))
    .returning();
  if (!asked) return getJob(deps, id);
  await deps.bus.publish({ topic: "job.cancel", nodeId: job.nodeId, jobId: id });
  return asked;
}
