import { type RouteHandler, z } from "@hono/zod-openapi";
import { MAX_LOG_TAIL } from "@pylon/shared";
import { streamSSE } from "hono/streaming";
import type { AppEnv } from "../../env.ts";
import { logItemsOf, logLines, stampedLine, startLogsJob } from "../../services/app-logs.ts";
import { getApp } from "../../services/apps.ts";
import { cancelJob, getJob, isFinal } from "../../services/jobs.ts";
import { defineRoute, err, requires } from "../define.ts";
import { followJob } from "../jobs/follow.ts";
import { jsonBody } from "../json.ts";
import { appIdParams, requester } from "./schema.ts";

const body = z
  .object({
    follow: z.boolean().default(false).meta({
      description: "Keep the response open and send new lines as they are written (text/event-stream)",
    }),
    tail: z
      .number()
      .int()
      .min(0)
      .max(MAX_LOG_TAIL)
      .default(200)
      .meta({ description: "How many of the last lines to send first" }),
  })
  .strict()
  .meta({ id: "AppLogsRequest" });

const lineSchema = z
  .object({
    at: z
      .string()
      .nullable()
      .meta({ description: "When the line was written (Docker's timestamp), ISO 8601" }),
    text: z.string().meta({ description: "The line, with compose's `service-1  | ` prefix if any" }),
  })
  .meta({ id: "AppLogLine" });
const linesSchema = z.object({ jobId: z.string(), lines: z.array(lineSchema) }).meta({ id: "AppLogs" });

// A POST, not a GET: each call starts a job on the node, so it takes the CSRF and Origin
// checks every mutation does (issue 10).
export const route = defineRoute(requires("operator", "read", { privateOutput: true }), null, {
  method: "post",
  path: "/apps/{id}/logs",
  tags: ["apps"],
  summary: "Read the app's container logs: the last lines, or followed live (Server-Sent Events); audited",
  description:
    "Runs `docker compose logs --timestamps` (or `docker logs --timestamps`) in the app's guest " +
    "through an `app.logs` job (a view: left out of job lists unless asked for, kept a day). " +
    "Without `follow`, answers `{ jobId, lines }` with the last `tail` lines, each `{ at, text }` " +
    "(`at`: when the line was written). With `follow: true`, answers `text/event-stream`: a `job` " +
    "event (`{ jobId }`), then one `line` event per log line, its data `{ at, text }` as JSON (the " +
    "tail first, then new lines as they are written), `notice` events from the agent (plain text, " +
    "e.g. lines dropped past 100 lines per second), and a final `end` (`{ status, error }`) if the " +
    "stream stops by itself (after at most an hour, or when the app's containers go), or an `error` " +
    "event (the usual error shape) when the caller may no longer read it (signed out, disabled, demoted). Closing " +
    "the connection stops the log command in the guest; the job then ends succeeded (`closed`). " +
    "Browsers read the stream with fetch (an EventSource can only GET).",
  request: { params: appIdParams, body: jsonBody(body) },
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
  const { follow, tail } = c.req.valid("json");
  c.set("audit", { action: follow ? "apps.logs.follow" : "apps.logs", target: id });
  const deps = c.get("deps");
  const app = await getApp(deps, id);
  const job = await startLogsJob(deps, app, { follow, tail }, requester(c));
  if (!follow) return c.json({ jobId: job.id, lines: (await logLines(deps, job.id)).map(stampedLine) }, 200);

  return streamSSE(c, async (stream) => {
    try {
      await stream.writeSSE({ event: "job", data: JSON.stringify({ jobId: job.id }) });
      await followJob(c, stream, job, 0, {
        async onEvents(rows) {
          for (const row of rows)
            for (const item of logItemsOf(row))
              await stream.writeSSE(
                item.kind === "line"
                  ? { event: "line", data: JSON.stringify({ at: item.at, text: item.text }) }
                  : { event: "notice", data: item.text },
              );
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
