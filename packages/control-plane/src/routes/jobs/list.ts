import type { RouteHandler } from "@hono/zod-openapi";
import { jobPageSchema, jobQuerySchema } from "@pylon/shared";
import type { AppEnv } from "../../env.ts";
import { listJobs, toJob } from "../../services/jobs.ts";
import { defineRoute, requires } from "../define.ts";
import { json } from "../json.ts";

export const route = defineRoute(requires("viewer", "read"), null, {
  method: "get",
  path: "/jobs",
  tags: ["jobs"],
  summary: "Jobs newest first, filtered by node, status or kind, paged by cursor",
  request: { query: jobQuerySchema },
  responses: { 200: json(jobPageSchema, "One page") },
});

export const handler: RouteHandler<typeof route, AppEnv> = async (c) => {
  const { rows, nextCursor } = await listJobs(c.get("deps"), c.req.valid("query"));
  const reader = c.get("principal");
  return c.json({ items: rows.map((row) => toJob(row, reader)), nextCursor }, 200);
};
