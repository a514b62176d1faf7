import type { RouteHandler } from "@hono/zod-openapi";
import { nodeDetailSchema } from "@pylon/shared";
import type { AppEnv } from "../../env.ts";
import { isoOrNull } from "../../lib/time.ts";
import { liveInstances } from "../../services/instances.ts";
import { getNode, toNode } from "../../services/nodes.ts";
import { defineRoute, err, requires } from "../define.ts";
import { json } from "../json.ts";
import { nodeIdParams } from "./schema.ts";

export const route = defineRoute(requires("viewer", "read"), null, {
  method: "get",
  path: "/nodes/{id}",
  tags: ["nodes"],
  summary: "A node with its last inventory (guests, storages, templates)",
  request: { params: nodeIdParams },
  responses: { 200: json(nodeDetailSchema, "The node"), 404: err("No such node") },
});

export const handler: RouteHandler<typeof route, AppEnv> = async (c) => {
  const deps = c.get("deps");
  const [row, live, bundle] = await Promise.all([
    getNode(deps, c.req.valid("param").id),
    liveInstances(deps),
    deps.agentBundle?.(),
  ]);
  return c.json(
    {
      ...toNode(row, live, bundle?.version ?? null),
      inventory: row.inventory ?? null,
      inventoryAt: isoOrNull(row.inventoryAt),
      backupStorage: row.backupStorage,
      backupCron: row.backupCron,
    },
    200,
  );
};
