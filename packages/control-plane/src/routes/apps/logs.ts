import { type RouteHandler, z } from "@hono/zod-openapi";
import { MAX_LOG_TAIL } from "@pylon/shared";
import { streamSSE } from "hono/streaming";
import type { AppEnv } from "../../env.ts";
import { logItemsOf, logLines, startLogsJob } from "../../services/app-logs.ts";
import { getApp } from "../../services/apps.ts";
import { cancelJob, getJob, isFinal } from "../../services/jobs.ts";
import { defineRoute, err, requires } from "../define.ts";
import { followJob } from "../jobs/follow.ts";
import { appIdParams, requester } from "./schema.ts";

const query = z.object({
  follow: z.enum(["true", "false"]).default("false").meta({
    description: "Keep the response open and send new lines as they are written (text/event-stream)",
  }),
  tail: z.coerce
    .number()
    .int()
    .min(0)
    .max(MAX_LOG_TAIL)
    .default(200)
    .meta({ description: "How many of the last lines to send first" }),
});

const linesSchema = z.object({ jobId: z.string(), lines: z.array(z.string()) }).meta({ id: "AppLogs" });

export const route = defineRoute(requires("operator", "read", { privateOutput: true }), null, {
  method: "get",
  path: "/apps/{id}/logs",
  tags: ["apps"],
  summary: "The app's container logs: the last lines, or followed live (Server-Sent Events); audited",
  description:
    "Runs `docker compose logs` (or `docker logs`) in the app's guest through an `app.logs` job. " +
    "Without `follow`, answers `{ jobId, lines }` with the last `tail` lines. With `follow=true`, " +
    "answers `text/event-stream`: a `job` event (`{ jobId }`), then one `line` event per log line " +
    "(the tail first, then new lines as they are written), `notice` events from the agent (e.g. " +
    "lines dropped past 100 lines per second), and a final `end` (`{ status, error }`) if the " +
    "stream stops by itself (after at most an hour, or when the app's containers go), or an `error` " +
    "event (the usual error shape) when the caller may no longer read it (signed out, disabled, demoted). Closing " +
    "the connection cancels the job: the log command is stopped in the guest.",
  request: { params: appIdParams, query },
  responses: {
    200: {
      description: "The lines (JSON), or the live stream (text/event-stream) with follow=true",
      content: {
        "application/json": { schema: linesSchema },
        "text/event-stream": { schema: z.string() },
      },
    },
    404: err("No such app"),
    409: err("The app has no guest, or reading the logs failed"),
    503: err("No answer in time"),
  },
});

export const handler: RouteHandler<typeof route, AppEnv> = async (c) => {
  const { id } = c.req.valid("param");
  const { follow, tail } = c.req.valid("query");
  c.set("audit", { action: follow === "true" ? "apps.logs.follow" : "apps.logs", target: id });
  const deps = c.get("deps");
  const app = await getApp(deps, id);
  const job = await startLogsJob(deps, app, { follow: follow === "true", tail }, requester(c));
  if (follow !== "true") return c.json({ jobId: job.id, lines: await logLines(deps, job.id) }, 200);

  return streamSSE(c, async (stream) => {
    try {
      await stream.writeSSE({ event: "job", data: JSON.stringify({ jobId: job.id }) });
      await followJob(c, stream, job, 0, {
        async onEvents(rows) {
          for (const row of rows)
            for (const item of logItemsOf(row)) await stream.writeSSE({ event: item.kind, data: item.text });
        },
        async onEnd(done) {
          const ended = { status: done.status, error: done.error, result: done.result ?? null };
          await stream.writeSSE({ event: "end", data: JSON.stringify(ended) });
        },
      });
    } finally {
      // The reader went away (or the write failed): stop the log command on the node.
      const last = await getJob(deps, job.id).catch(() => undefined);
      if (last && !isFinal(last.status)) await cancelJob(deps, job.id).catch(() => {});
    }
  });
};
