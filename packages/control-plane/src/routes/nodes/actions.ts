import { type RouteHandler, z } from "@hono/zod-openapi";
import { jobSchema, nodeMetricsSeriesSchema, powerBodySchema, vmidSchema } from "@pylon/shared";
import type { AppEnv } from "../../env.ts";
import { createJob, toJob } from "../../services/jobs.ts";
import { metricsSeries } from "../../services/nodes.ts";
import { defineRoute, err, requires } from "../define.ts";
import { json, jsonBody } from "../json.ts";
import { metricsFrom, metricsQuery, toSample } from "../metrics-query.ts";
import { requester } from "../requester.ts";
import { nodeIdParams } from "./schema.ts";

export const inventoryRoute = defineRoute(requires("operator", "deploy"), "nodes.inventory", {
  method: "post",
  path: "/nodes/{id}/inventory",
  tags: ["nodes"],
  summary: "Ask the agent for a fresh inventory (guests, storages, templates); returns the job",
  request: { params: nodeIdParams },
  responses: { 202: json(jobSchema, "Job queued"), 404: err("No such node"), 409: err("No agent enrolled") },
});

export const inventoryHandler: RouteHandler<typeof inventoryRoute, AppEnv> = async (c) => {
  const job = await createJob(c.get("deps"), {
    nodeId: c.req.valid("param").id,
    kind: "node.inventory",
    params: {},
    origin: requester(c),
  });
  return c.json(toJob(job, c.get("principal")), 202);
};

export const powerRoute = defineRoute(requires("operator", "deploy"), "guests.power", {
  method: "post",
  path: "/nodes/{id}/guests/{vmid}/power",
  tags: ["nodes"],
  summary: "Start, stop, shut down or reboot a guest on the node; returns the job",
  request: {
    params: nodeIdParams.extend({ vmid: z.coerce.number().pipe(vmidSchema) }),
    body: jsonBody(powerBodySchema),
  },
  responses: { 202: json(jobSchema, "Job queued"), 404: err("No such node"), 409: err("No agent enrolled") },
});

export const powerHandler: RouteHandler<typeof powerRoute, AppEnv> = async (c) => {
  const { id, vmid } = c.req.valid("param");
  const body = c.req.valid("json");
  c.set("audit", { action: "guests.power", target: `${id}/${vmid}` });
  const job = await createJob(c.get("deps"), {
    nodeId: id,
    kind: "guest.power",
    params: { vmid, type: body.type, action: body.action },
    origin: requester(c),
  });
  return c.json(toJob(job, c.get("principal")), 202);
};

export const metricsRoute = defineRoute(requires("viewer", "read"), null, {
  method: "get",
  path: "/nodes/{id}/metrics",
  tags: ["nodes"],
  summary: "Node metrics over time (one sample a minute, kept a week)",
  request: {
    params: nodeIdParams,
    query: metricsQuery,
  },
  responses: { 200: json(nodeMetricsSeriesSchema, "Samples"), 404: err("No such node") },
});

export const metricsHandler: RouteHandler<typeof metricsRoute, AppEnv> = async (c) => {
  const deps = c.get("deps");
  const from = metricsFrom(deps, c.req.valid("query").since);
  const rows = await metricsSeries(deps, c.req.valid("param").id, from);
  return c.json({ items: rows.map(({ nodeId: _, ...r }) => toSample(r)) }, 200);
};
