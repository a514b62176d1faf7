// PUT /settings/automation: switches the installation between AUTO and PRO (audited).
import { type RouteHandler, z } from "@hono/zod-openapi";
import { AUTOMATION_POLICIES, automationBodySchema } from "@pylon/shared";
import type { AppEnv } from "../../env.ts";
import { setAutomation } from "../../services/policy.ts";
import { defineRoute, requires } from "../define.ts";
import { json, jsonBody } from "../json.ts";

const resultSchema = z
  .object({
    automation: z.enum(AUTOMATION_POLICIES),
    appsApplied: z.number().int().meta({ description: "Apps given AUTO's schedules and default retention" }),
    schedulesApplied: z
      .boolean()
      .meta({ description: "false: this server has no schedules service wired; only retention was applied" }),
  })
  .meta({ id: "AutomationResult" });

export const route = defineRoute(requires("admin", "write"), "settings.automation", {
  method: "put",
  path: "/settings/automation",
  tags: ["system"],
  summary:
    "Choose AUTO (daily backups with a default retention, weekly drills and update checks for every app) or PRO (left to the user)",
  request: { body: jsonBody(automationBodySchema) },
  responses: { 200: json(resultSchema, "The policy now") },
});

export const handler: RouteHandler<typeof route, AppEnv> = async (c) => {
  const deps = c.get("deps");
  const { automation } = c.req.valid("json");
  c.set("audit", { action: "settings.automation", target: automation });
  const result = await setAutomation(deps, automation, deps.policyScheduler);
  return c.json({ ...result, schedulesApplied: deps.policyScheduler !== undefined }, 200);
};
