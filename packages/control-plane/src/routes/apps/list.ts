import type { RouteHandler } from "@hono/zod-openapi";
import { appListSchema } from "@pylon/shared";
import type { AppEnv } from "../../env.ts";
import { latestMetricsOfAllApps } from "../../services/app-metrics.ts";
import { toApp } from "../../services/app-views.ts";
import { appsConfig, listApps } from "../../services/apps.ts";
import { portsOfAllApps } from "../../services/ports.ts";
import { defineRoute, requires } from "../define.ts";
import { json } from "../json.ts";

export const route = defineRoute(requires("viewer", "read"), null, {
  method: "get",
  path: "/apps",
  tags: ["apps"],
  summary: "Every app with status, URL, guest, resources and its guest's latest sample",
  responses: { 200: json(appListSchema, "Apps") },
});

export const handler: RouteHandler<typeof route, AppEnv> = async (c) => {
  const deps = c.get("deps");
  const rows = await listApps(deps);
  const port = appsConfig(deps).httpsPort;
  const [ports, metrics] = await Promise.all([portsOfAllApps(deps), latestMetricsOfAllApps(deps)]);
  const items = rows.map((r) => toApp(r, ports.get(r.id) ?? [], port, metrics.get(r.id) ?? null));
  return c.json({ items }, 200);
};
