import type { SSEStreamingApi } from "hono/streaming";
import type { JobEventRow, JobRow } from "../../db/schema/index.ts";
import type { AppDeps } from "../../deps.ts";
import { getJob, isFinal, listJobEvents } from "../../services/jobs.ts";

const KEEPALIVE_MS = 15_000;
const PAGE = 500;

export interface FollowHandlers {
  /** Each time the job is read (first, then after every change). */
  onJob?(job: JobRow): Promise<void>;
  /** The job's events after the cursor, in order, none missed or repeated. */
  onEvents(rows: JobEventRow[]): Promise<void>;
  /** The job is final and every one of its events was sent. */
  onEnd(job: JobRow): Promise<void>;
}

/**
 * Relays a job to an SSE stream until it ends or the reader goes: reads its new events, sleeps
 * until the change feed says the job changed (or a keepalive is due), and repeats. Works in
 * whichever process holds the agent, since everything comes from the database.
 */
export async function followJob(
  deps: Pick<AppDeps, "db" | "bus">,
  stream: SSEStreamingApi,
  first: JobRow,
  after: number,
  on: FollowHandlers,
): Promise<void> {
  let job = first;
  let wake: (() => void) | undefined;
  let gone = false;
  // Set by any change to the job; checked before sleeping so a change between reading and
  // sleeping is never missed.
  let dirty = false;
  const unsubscribe = deps.bus.subscribe((change) => {
    if (change.jobId !== job.id) return;
    dirty = true;
    wake?.();
  });
  stream.onAbort(() => {
    gone = true;
    wake?.();
  });
  try {
    for (;;) {
      dirty = false;
      await on.onJob?.(job);
      const rows = await listJobEvents(deps, job.id, after, PAGE);
      if (rows.length) {
        await on.onEvents(rows);
        after = rows.at(-1)!.seq;
      }
      if (gone) return;
      if (rows.length === PAGE) continue;
      if (isFinal(job.status) && after >= job.lastSeq) return await on.onEnd(job);
      const woke =
        dirty ||
        (await new Promise<boolean>((resolve) => {
          const t = setTimeout(() => resolve(false), KEEPALIVE_MS);
          wake = () => {
            clearTimeout(t);
            resolve(true);
          };
        }));
      wake = undefined;
      if (gone) return;
      if (!woke) await stream.write(": keepalive\n\n");
      job = await getJob(deps, job.id);
    }
  } finally {
    unsubscribe();
  }
}
