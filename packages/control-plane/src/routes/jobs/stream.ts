import type { RouteHandler } from "@hono/zod-openapi";
import { streamSSE } from "hono/streaming";
import type { AppEnv } from "../../env.ts";
import { ApiError } from "../../errors.ts";
import { getJob, outputRefusal, toJob, toJobEvent } from "../../services/jobs.ts";
import { defineRoute, err, requires } from "../define.ts";
import { followJob } from "./follow.ts";
import { jobIdParams } from "./get.ts";

export const route = defineRoute(requires("viewer", "read"), null, {
  method: "get",
  path: "/jobs/{id}/stream",
  tags: ["jobs"],
  summary: "Live job events as Server-Sent Events",
  description:
    "Sends `job` (the job, whenever its state changes), `event` (one per job event, `id` = seq) and a final `end`. Reconnect with Last-Event-ID (or ?after=) to resume without losing or repeating events. Works whichever process holds the agent. The stream ends with an `error` event (the usual error shape) when the caller's session ends or token is revoked, or the user is disabled, deleted or loses the access the stream needs.",
  request: { params: jobIdParams },
  responses: {
    200: { description: "text/event-stream" },
    403: err("The job's output is private to more access than yours (see the job's outputAccess)"),
    404: err("No such job"),
  },
});

export const handler: RouteHandler<typeof route, AppEnv> = async (c) => {
  const deps = c.get("deps");
  const { id } = c.req.valid("param");
  const job = await getJob(deps, id);
  const why = outputRefusal(job, c.get("principal"));
  if (why) throw new ApiError("forbidden", why);
  const reader = c.get("principal");
  const resume = c.req.header("last-event-id") ?? c.req.query("after") ?? "0";
  const after = Number.isInteger(Number(resume)) && Number(resume) >= 0 ? Number(resume) : 0;
  return streamSSE(c, async (stream) => {
    let sentState = "";
    await followJob(c, stream, job, after, {
      async onJob(job) {
        const state = `${job.status}:${job.cancelRequested}`;
        if (state === sentState) return;
        sentState = state;
        await stream.writeSSE({ event: "job", data: JSON.stringify(toJob(job, reader)) });
      },
      async onEvents(rows) {
        for (const row of rows)
          await stream.writeSSE({
            event: "event",
            id: String(row.seq),
            data: JSON.stringify(toJobEvent(row)),
          });
      },
      onEnd: (job) => stream.writeSSE({ event: "end", data: JSON.stringify(toJob(job, reader)) }),
    });
  });
};
