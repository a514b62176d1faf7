import type { RouteHandler } from "@hono/zod-openapi";
import { nodeListSchema } from "@pylon/shared";
import type { AppEnv } from "../../env.ts";
import { listNodes, toNode } from "../../services/nodes.ts";
import { defineRoute, requires } from "../define.ts";
import { json } from "../json.ts";

export const route = defineRoute(requires("viewer", "read"), null, {
  method: "get",
  path: "/nodes",
  tags: ["nodes"],
  summary: "List Proxmox nodes with agent status and host metrics",
  responses: { 200: json(nodeListSchema, "Every node") },
});

export const handler: RouteHandler<typeof route, AppEnv> = async (c) => {
  const { rows, live } = await listNodes(c.get("deps"));
  const latest = (await c.get("deps").agentBundle?.())?.version ?? null;
  return c.json({ items: rows.map((r) => toNode(r, live, latest)) }, 200);
};
