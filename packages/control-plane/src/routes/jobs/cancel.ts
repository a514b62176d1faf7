import type { RouteHandler } from "@hono/zod-openapi";
import { jobSchema } from "@pylon/shared";
import type { AppEnv } from "../../env.ts";
import { cancelJob, toJob } from "../../services/jobs.ts";
import { defineRoute, err, requires } from "../define.ts";
import { json } from "../json.ts";
import { jobIdParams } from "./get.ts";

export const route = defineRoute(requires("operator", "deploy"), "jobs.cancel", {
  method: "post",
  path: "/jobs/{id}/cancel",
  tags: ["jobs"],
  summary: "Cancel a job: a queued one ends now, a running one is asked to stop",
  request: { params: jobIdParams },
  responses: { 200: json(jobSchema, "The job"), 404: err("No such job"), 409: err("Already finished") },
});

export const handler: RouteHandler<typeof route, AppEnv> = async (c) => {
  return c.json(toJob(await cancelJob(c.get("deps"), c.req.valid("param").id), c.get("principal")), 200);
};
