import type { RouteHandler } from "@hono/zod-openapi";
import { jobEventsPageSchema, jobEventsQuerySchema } from "@pylon/shared";
import type { AppEnv } from "../../env.ts";
import { ApiError } from "../../errors.ts";
import { getJob, isFinal, listJobEvents, outputRefusal, toJobEvent } from "../../services/jobs.ts";
import { defineRoute, err, requires } from "../define.ts";
import { json } from "../json.ts";
import { jobIdParams } from "./get.ts";

export const route = defineRoute(requires("viewer", "read"), null, {
  method: "get",
  path: "/jobs/{id}/events",
  tags: ["jobs"],
  summary: "A job's events (logs, steps, progress, result) after a seq cursor",
  request: { params: jobIdParams, query: jobEventsQuerySchema },
  responses: {
    200: json(jobEventsPageSchema, "Events in order"),
    403: err("The job's output is private to more access than yours (see the job's outputAccess)"),
    404: err("No such job"),
  },
});

export const handler: RouteHandler<typeof route, AppEnv> = async (c) => {
  const { id } = c.req.valid("param");
  const { after, limit } = c.req.valid("query");
  const job = await getJob(c.get("deps"), id);
  const why = outputRefusal(job, c.get("principal"));
  if (why) throw new ApiError("forbidden", why);
  const rows = await listJobEvents(c.get("deps"), id, after, limit);
  const nextAfter = rows.at(-1)?.seq ?? after;
  return c.json(
    {
      items: rows.map(toJobEvent),
      nextAfter,
      done: isFinal(job.status) && rows.length < limit && nextAfter >= job.lastSeq,
    },
    200,
  );
};
