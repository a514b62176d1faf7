import { type RouteHandler, z } from "@hono/zod-openapi";
import { nodeSchema } from "@pylon/shared";
import type { AppEnv } from "../../env.ts";
import { liveInstances } from "../../services/instances.ts";
import { revokeCredential, rotateCredential, toNode } from "../../services/nodes.ts";
import { defineRoute, err, requires } from "../define.ts";
import { json } from "../json.ts";
import { nodeIdParams } from "./schema.ts";

export const revokeRoute = defineRoute(requires("admin", "write"), "nodes.credential.revoke", {
  method: "post",
  path: "/nodes/{id}/credential/revoke",
  tags: ["nodes"],
  summary: "Revoke the agent's credential; a connected agent is disconnected at once",
  request: { params: nodeIdParams },
  responses: { 200: json(nodeSchema, "Revoked"), 404: err("No such node") },
});

export const revokeHandler: RouteHandler<typeof revokeRoute, AppEnv> = async (c) => {
  const deps = c.get("deps");
  const row = await revokeCredential(deps, c.req.valid("param").id);
  await deps.bus.publish({ topic: "node.revoked", nodeId: row.id, jobId: null });
  return c.json(toNode(row, await liveInstances(deps)), 200);
};

export const rotateRoute = defineRoute(requires("admin", "write"), "nodes.credential.rotate", {
  method: "post",
  path: "/nodes/{id}/credential/rotate",
  tags: ["nodes"],
  summary: "Give the connected agent a new credential; the old one stops working once the agent stored it",
  request: { params: nodeIdParams },
  responses: {
    200: json(z.object({ credentialId: z.string() }), "Rotated"),
    409: err("The agent is not connected"),
    503: err("The agent did not confirm in time; the old credential stays valid"),
  },
});

export const rotateHandler: RouteHandler<typeof rotateRoute, AppEnv> = async (c) => {
  return c.json({ credentialId: await rotateCredential(c.get("deps"), c.req.valid("param").id) }, 200);
};
