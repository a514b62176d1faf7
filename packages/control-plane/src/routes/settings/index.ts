import { OpenAPIHono, type RouteHandler, z } from "@hono/zod-openapi";
import { AUTOMATION_POLICIES } from "@pylon/shared";
import { DEFAULT_RETENTION } from "../../deps.ts";
import type { AppEnv } from "../../env.ts";
import { appsConfig } from "../../services/apps.ts";
import { getAutomation } from "../../services/policy.ts";
import { defineRoute, requires } from "../define.ts";
import { json } from "../json.ts";
import * as automation from "./automation.ts";
import * as notifications from "./notifications.ts";

const settingsSchema = z
  .object({
    version: z.string(),
    automation: z.enum(AUTOMATION_POLICIES).meta({
      description:
        "auto: daily backups with a default retention, weekly drills and update checks for every app; pro: left to the user (PUT /settings/automation)",
    }),
    publicUrl: z.string().nullable().meta({ description: "PYLON_PUBLIC_URL, if set" }),
    apps: z.object({
      domain: z.string().meta({ description: "Apps are served at <name>.<domain> unless given a domain" }),
      httpsPort: z.number().int().meta({ description: "The port Caddy serves apps on" }),
      keepSnapshots: z
        .number()
        .int()
        .meta({ description: "How many of its own snapshots each app keeps (PYLON_APP_SNAPSHOTS_KEEP)" }),
    }),
    retention: z
      .object({
        auditDays: z
          .number()
          .int()
          .meta({ description: "PYLON_AUDIT_RETENTION_DAYS: audit entries are kept this long" }),
        jobDays: z.number().int().meta({
          description: "PYLON_JOB_RETENTION_DAYS: finished jobs and their events are kept this long",
        }),
        keepDeploys: z.number().int().meta({
          description:
            "PYLON_JOB_KEEP_DEPLOYS: an app keeps at least its last this-many deploys (and its latest job) however old",
        }),
      })
      .meta({ description: "Log views and diagnostics are kept a day, metrics a week" }),
  })
  .meta({ id: "Settings" });

export const route = defineRoute(requires("viewer", "read"), null, {
  method: "get",
  path: "/settings",
  tags: ["system"],
  summary:
    "How this Pylon is configured (set by PYLON_* variables; the automation policy by PUT /settings/automation)",
  responses: { 200: json(settingsSchema, "Settings") },
});

export const handler: RouteHandler<typeof route, AppEnv> = async (c) => {
  const deps = c.get("deps");
  return c.json(
    {
      version: deps.version,
      automation: await getAutomation(deps),
      publicUrl: deps.publicUrl ?? null,
      apps: appsConfig(deps),
      retention: { ...DEFAULT_RETENTION, ...deps.retention },
    },
    200,
  );
};

/** /settings: the server's configuration as users need to know it. */
export const settingsRoutes = () =>
  new OpenAPIHono<AppEnv>()
    .openapi(route, handler)
    .openapi(notifications.getRoute, notifications.getHandler)
    .openapi(notifications.putRoute, notifications.putHandler)
    .openapi(notifications.testRoute, notifications.testHandler)
    .openapi(automation.route, automation.handler);
