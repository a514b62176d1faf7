import type { Context } from "hono";
import type { SSEStreamingApi } from "hono/streaming";
import type { JobEventRow, JobRow } from "../../db/schema/index.ts";
import type { AppEnv } from "../../env.ts";
import type { ApiError } from "../../errors.ts";
import { getJob, isFinal, listJobEvents } from "../../services/jobs.ts";
import { callerCheck } from "../live-caller.ts";

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

/** The last thing a stream sends when its caller may no longer have it: the usual error shape. */
async function sendRefusal(c: Context<AppEnv>, stream: SSEStreamingApi, err: ApiError): Promise<void> {
  const body = { error: { code: err.code, message: err.message, requestId: c.get("requestId") ?? "" } };
  await stream.writeSSE({ event: "error", data: JSON.stringify(body) });
}

/**
 * Relays a job to an SSE stream until it ends or the reader goes: reads its new events, sleeps
 * until the change feed says the job changed (or a keepalive is due), and repeats. Works in
 * whichever process holds the agent, since everything comes from the database.
 *
 * The stream also ends, with an `error` event in the usual error shape, once its caller may no
 * longer have it (routes/live-caller.ts): checked whenever sessions, tokens or users change
 * (`auth.changed`: sign-out, revocation, disabling, deletion, demotion) and at every keepalive
 * (expiry).
 */
export async function followJob(
  c: Context<AppEnv>,
  stream: SSEStreamingApi,
  first: JobRow,
  after: number,
  on: FollowHandlers,
): Promise<void> {
  const deps = c.get("deps");
  const keepaliveMs = deps.streamKeepaliveMs ?? KEEPALIVE_MS;
  const stillAllowed = callerCheck(c);
  let job = first;
  let wake: (() => void) | undefined;
  let gone = false;
  // Set by any change to the job (or to who may see it); checked before sleeping so a change
  // between reading and sleeping is never missed.
  let dirty = false;
  let authDirty = false;
  const unsubscribe = deps.bus.subscribe((change) => {
    if (change.topic === "auth.changed") authDirty = true;
    else if (change.jobId === job.id) dirty = true;
    else return;
    wake?.();
  }, first.nodeId);
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
        authDirty ||
        (await new Promise<boolean>((resolve) => {
          const t = setTimeout(() => resolve(false), keepaliveMs);
          wake = () => {
            clearTimeout(t);
            resolve(true);
          };
        }));
      wake = undefined;
      if (gone) return;
      job = await getJob(deps, job.id);
      if (authDirty || !woke) {
        authDirty = false;
        const refused = await stillAllowed(job);
        if (refused) return await sendRefusal(c, stream, refused);
      }
      if (!woke) await stream.write(": keepalive\n\n");
    }
  } finally {
    unsubscribe();
  }
}
