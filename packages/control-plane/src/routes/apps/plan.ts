import type { RouteHandler } from "@hono/zod-openapi";
import { planAppBodySchema, planAppResultSchema } from "@pylon/shared";
import type { AppEnv } from "../../env.ts";
import { planApp } from "../../services/app-plan.ts";
import { defineRoute, err, requires } from "../define.ts";
import { json, jsonBody } from "../json.ts";
import { requester } from "./schema.ts";

export const route = defineRoute(requires("operator", "deploy"), "apps.plan", {
  method: "post",
  path: "/apps/plan",
  tags: ["apps"],
  summary: "Plan how a Git repository would be built and run, before deploying it",
  description:
    "The node's agent fetches the repository at the ref (shallow, submodules included) and answers with the plan: source (generated, dockerfile or compose) and why, framework, runtime and version, package manager, commands, port, the generated Dockerfile, warnings — or `plan.refused` saying what it found. Deploy exactly this plan with POST /apps, `source.commit` set to the answer's commit and the same source fields.",
  request: { body: jsonBody(planAppBodySchema) },
  responses: {
    200: json(planAppResultSchema, "The plan (or a refusal in plan.refused)"),
    409: err("The node has no agent, or planning failed on the node"),
    503: err("No answer in time"),
  },
});

export const handler: RouteHandler<typeof route, AppEnv> = async (c) => {
  const body = c.req.valid("json");
  c.set("audit", { action: "apps.plan", target: body.source.url });
  return c.json(await planApp(c.get("deps"), body, requester(c)), 200);
};
