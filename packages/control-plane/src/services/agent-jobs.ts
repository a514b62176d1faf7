// Job state changes driven by an agent's frames. Each is one conditional write, so a frame
// delivered twice, or handled by two processes, changes the job once.
import { and, eq, inArray, lte, sql } from "drizzle-orm";
import { type JobRow, jobs, nodes } from "../db/schema/index.ts";
import type { AppDeps } from "../deps.ts";
import { open } from "../lib/secret-box.ts";
import { applyAppJobResult } from "./app-results.ts";
import { createJob, serverOrigin } from "./jobs.ts";

const INVENTORY_MAX_AGE_MS = 10 * 60_000;

type Deps = Pick<AppDeps, "db" | "now" | "bus">;

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

/**
 * Whether `jobId` is one of this node's jobs the agent may still report on: not finished and
 * offered at least once. Frames the control plane refuses end such a job (the agent drops it).
 */
export async function unfinishedJobOf(deps: Deps, nodeId: string, jobId: string): Promise<boolean> {
  const [row] = await deps.db
    .select({ id: jobs.id })
    .from(jobs)
    .where(
      and(
        eq(jobs.id, jobId),
        eq(jobs.nodeId, nodeId),
        inArray(jobs.status, ["queued", "offered", "running"]),
        sql`${jobs.attempts} > 0`,
      ),
    );
  return row !== undefined;
}

/**
 * Ends a job that will not run or whose fate is unknown, with the reason. As with an agent's
 * result (recordEvent), the app takes the outcome before the job shows it: a crash or a failed
 * write in between leaves a job still active (ended again later), never a finished job whose
 * app still says it is deploying. If the job ended otherwise in between, its own outcome stands.
 */
export async function failJob(
  deps: Deps,
  nodeId: string,
  jobId: string,
  status: "failed" | "lost",
  error: string,
): Promise<void> {
  const active = and(
    eq(jobs.id, jobId),
    eq(jobs.nodeId, nodeId),
    inArray(jobs.status, ["queued", "offered", "running"]),
  );
  const [job] = await deps.db.select().from(jobs).where(active);
  if (!job) return;
  const now = deps.now();
  await applyAppJobResult(deps, { ...job, status, error, finishedAt: now, updatedAt: now });
  const [row] = await deps.db
    .update(jobs)
    .set({ status, error, finishedAt: now, updatedAt: now })
    .where(active)
    .returning({ id: jobs.id });
  if (!row) {
    const [ended] = await deps.db.select().from(jobs).where(eq(jobs.id, jobId));
    if (ended) await applyAppJobResult(deps, ended);
    return;
  }
  await deps.bus.publish({ topic: "job.event", nodeId, jobId });
}

/** Queues a node.inventory job when the node's last inventory is missing or older than 10 minutes. */
export async function queueInventoryIfStale(
  deps: Deps & Pick<AppDeps, "secretKey">,
  nodeId: string,
  now: number,
): Promise<void> {
  const [node] = await deps.db.select({ at: nodes.inventoryAt }).from(nodes).where(eq(nodes.id, nodeId));
  if (node?.at && now - node.at < INVENTORY_MAX_AGE_MS) return;
  const [pending] = await deps.db
    .select({ id: jobs.id })
    .from(jobs)
    .where(
      and(
        eq(jobs.nodeId, nodeId),
        eq(jobs.kind, "node.inventory"),
        inArray(jobs.status, ["queued", "offered", "running"]),
      ),
    )
    .limit(1);
  if (!pending)
    await createJob(deps, { nodeId, kind: "node.inventory", params: {}, origin: serverOrigin("system") });
}
