import type { RouteHandler } from "@hono/zod-openapi";
import type { AppEnv } from "../../env.ts";
import { deleteNode } from "../../services/nodes.ts";
import { defineRoute, err, requires } from "../define.ts";
import { nodeIdParams } from "./schema.ts";

export const route = defineRoute(requires("admin", "write"), "nodes.delete", {
  method: "delete",
  path: "/nodes/{id}",
  tags: ["nodes"],
  summary: "Remove a node; its agent is disconnected and its credential stops working",
  request: { params: nodeIdParams },
  responses: { 204: { description: "Removed" }, 404: err("No such node") },
});

export const handler: RouteHandler<typeof route, AppEnv> = async (c) => {
  const id = c.req.valid("param").id;
  await deleteNode(c.get("deps"), id);
  await c.get("deps").bus.publish({ topic: "node.deleted", nodeId: id, jobId: null });
  return c.body(null, 204);
};
