import { type RouteHandler, z } from "@hono/zod-openapi";
import { idSchema, jobSchema } from "@pylon/shared";
import type { AppEnv } from "../../env.ts";
import { getJob, toJob } from "../../services/jobs.ts";
import { defineRoute, err, requires } from "../define.ts";
import { json } from "../json.ts";

export const jobIdParams = z.object({ id: idSchema });

export const route = defineRoute(requires("viewer", "read"), null, {
  method: "get",
  path: "/jobs/{id}",
  tags: ["jobs"],
  summary: "One job (its result and error withheld when its output is private to more access than yours)",
  request: { params: jobIdParams },
  responses: { 200: json(jobSchema, "The job"), 404: err("No such job") },
});

export const handler: RouteHandler<typeof route, AppEnv> = async (c) => {
  return c.json(toJob(await getJob(c.get("deps"), c.req.valid("param").id), c.get("principal")), 200);
};
