import type { RouteHandler } from "@hono/zod-openapi";
import { appMetricsSeriesSchema } from "@pylon/shared";
import type { AppEnv } from "../../env.ts";
import { appMetricsSeries } from "../../services/app-metrics.ts";
import { defineRoute, err, requires } from "../define.ts";
import { json } from "../json.ts";
import { metricsFrom, metricsQuery, toSample } from "../metrics-query.ts";
import { appIdParams } from "./schema.ts";

export const route = defineRoute(requires("viewer", "read"), null, {
  method: "get",
  path: "/apps/{id}/metrics",
  tags: ["apps"],
  summary:
    "The app guest's metrics over time (one sample a minute, kept a week); net figures are Proxmox's byte counters since the guest started",
  request: {
    params: appIdParams,
    query: metricsQuery,
  },
  responses: { 200: json(appMetricsSeriesSchema, "Samples"), 404: err("No such app") },
});

export const handler: RouteHandler<typeof route, AppEnv> = async (c) => {
  const deps = c.get("deps");
  const from = metricsFrom(deps, c.req.valid("query").since);
  const rows = await appMetricsSeries(deps, c.req.valid("param").id, from);
  return c.json({ items: rows.map(({ appId: _, ...r }) => toSample(r)) }, 200);
};
