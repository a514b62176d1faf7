import type { RouteHandler } from "@hono/zod-openapi";
import { streamSSE } from "hono/streaming";
import type { AppEnv } from "../../env.ts";
import { getJob, isFinal, listJobEvents, toJob, toJobEvent } from "../../services/jobs.ts";
import { defineRoute, err, requires } from "../define.ts";
import { jobIdParams } from "./get.ts";

const KEEPALIVE_MS = 15_000;

export const route = defineRoute(requires("viewer", "read"), null, {
  method: "get",
  path: "/jobs/{id}/stream",
  tags: ["jobs"],
  summary: "Live job events as Server-Sent Events",
  description:
    "Sends `job` (the job, whenever its state changes), `event` (one per job event, `id` = seq) and a final `end`. Reconnect with Last-Event-ID (or ?after=) to resume without losing or repeating events. Works whichever process holds the agent.",
  request: { params: jobIdParams },
  responses: { 200: { description: "text/event-stream" }, 404: err("No such job") },
});

export const handler: RouteHandler<typeof route, AppEnv> = async (c) => {
  const deps = c.get("deps");
  const { id } = c.req.valid("param");
  let job = await getJob(deps, id);
  const resume = c.req.header("last-event-id") ?? c.req.query("after") ?? "0";
  let after = Number.isInteger(Number(resume)) && Number(resume) >= 0 ? Number(resume) : 0;
  return streamSSE(c, async (stream) => {
    let wake: (() => void) | undefined;
    let aborted = false;
    // Set by any change to this job; checked before sleeping so a change between reading and
    // sleeping is never missed.
    let dirty = false;
    const unsubscribe = deps.bus.subscribe((change) => {
      if (change.jobId !== id) return;
      dirty = true;
      wake?.();
    });
    stream.onAbort(() => {
      aborted = true;
      wake?.();
    });
    try {
      let sentState = "";
      for (;;) {
        dirty = false;
        const state = `${job.status}:${job.cancelRequested}`;
        if (state !== sentState) {
          sentState = state;
          await stream.writeSSE({ event: "job", data: JSON.stringify(toJob(job)) });
        }
        const rows = await listJobEvents(deps, id, after, 500);
        for (const row of rows) {
          await stream.writeSSE({
            event: "event",
            id: String(row.seq),
            data: JSON.stringify(toJobEvent(row)),
          });
          after = row.seq;
        }
        if (aborted) return;
        if (rows.length === 500) continue;
        if (isFinal(job.status) && after >= job.lastSeq) {
          await stream.writeSSE({ event: "end", data: JSON.stringify(toJob(job)) });
          return;
        }
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
        if (aborted) return;
        if (!woke) await stream.write(": keepalive\n\n");
        job = await getJob(deps, id);
      }
    } finally {
      unsubscribe();
    }
  });
};
