import { type RouteHandler, z } from "@hono/zod-openapi";
import { appMetricsSeriesSchema } from "@pylon/shared";
import type { AppEnv } from "../../env.ts";
import { iso } from "../../lib/time.ts";
import { appMetricsSeries } from "../../services/app-metrics.ts";
import { defineRoute, err, requires } from "../define.ts";
import { json } from "../json.ts";
import { appIdParams } from "./schema.ts";

export const route = defineRoute(requires("viewer", "read"), null, {
  method: "get",
  path: "/apps/{id}/metrics",
  tags: ["apps"],
  summary:
    "The app guest's metrics over time (one sample a minute, kept a week); net figures are Proxmox's byte counters since the guest started",
  request: {
    params: appIdParams,
    query: z.object({
      since: z.iso.datetime({ offset: true }).optional().meta({ description: "Default: 24 hours ago" }),
    }),
  },
  responses: { 200: json(appMetricsSeriesSchema, "Samples"), 404: err("No such app") },
});

export const handler: RouteHandler<typeof route, AppEnv> = async (c) => {
  const { since } = c.req.valid("query");
  const from = since ? Date.parse(since) : c.get("deps").now() - 24 * 3600_000;
  const rows = await appMetricsSeries(c.get("deps"), c.req.valid("param").id, from);
  return c.json(
    {
      items: rows.map((r) => ({
        at: iso(r.at),
        cpu: r.cpu,
        memUsed: r.memUsed,
        memTotal: r.memTotal,
        diskUsed: r.diskUsed,
        diskTotal: r.diskTotal,
        netIn: r.netIn,
        netOut: r.netOut,
      })),
    },
    200,
  );
};
