import type { RouteHandler } from "@hono/zod-openapi";
import { nodeDetailSchema, updateNodeBodySchema } from "@pylon/shared";
import type { AppEnv } from "../../env.ts";
import { isoOrNull } from "../../lib/time.ts";
import { liveInstances } from "../../services/instances.ts";
import { getNode, toNode, updateNode } from "../../services/nodes.ts";
import { defineRoute, err, requires } from "../define.ts";
import { json, jsonBody } from "../json.ts";
import { nodeIdParams } from "./schema.ts";

export const route = defineRoute(requires("admin", "write"), "nodes.update", {
  method: "patch",
  path: "/nodes/{id}",
  tags: ["nodes"],
  summary: "Node settings: the default backup storage of its apps",
  request: { params: nodeIdParams, body: jsonBody(updateNodeBodySchema) },
  responses: {
    200: json(nodeDetailSchema, "The node"),
    400: err("The storage is not one of the node's that hold backups"),
    404: err("No such node"),
  },
});

export const handler: RouteHandler<typeof route, AppEnv> = async (c) => {
  const deps = c.get("deps");
  const id = c.req.valid("param").id;
  await getNode(deps, id);
  const row = await updateNode(deps, id, c.req.valid("json"));
  const live = await liveInstances(deps);
  return c.json(
    {
      ...toNode(row, live),
      inventory: row.inventory ?? null,
      inventoryAt: isoOrNull(row.inventoryAt),
      backupStorage: row.backupStorage,
      backupCron: row.backupCron,
    },
    200,
  );
};
