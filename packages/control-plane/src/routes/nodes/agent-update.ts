import type { RouteHandler } from "@hono/zod-openapi";
import { nodeSchema } from "@pylon/shared";
import type { AppEnv } from "../../env.ts";
import { ApiError } from "../../errors.ts";
import { liveInstances } from "../../services/instances.ts";
import { getNode, nodeStatus, toNode } from "../../services/nodes.ts";
import { defineRoute, err, requires } from "../define.ts";
import { json } from "../json.ts";
import { nodeIdParams } from "./schema.ts";

export const route = defineRoute(requires("admin", "write"), "nodes.agent.update", {
  method: "post",
  path: "/nodes/{id}/agent/update",
  tags: ["nodes"],
  summary:
    "Have the agent update itself to the bundle this control plane serves (verified by SHA-256; it goes back to the previous one if the new one does not reconnect within a minute)",
  request: { params: nodeIdParams },
  responses: {
    202: json(nodeSchema, "The update was ordered; follow agentUpdate"),
    404: err("No such node, or no agent bundle on this server"),
    409: err("The agent is not connected"),
  },
});

export const handler: RouteHandler<typeof route, AppEnv> = async (c) => {
  const deps = c.get("deps");
  const id = c.req.valid("param").id;
  const [row, live, bundle] = await Promise.all([
    getNode(deps, id),
    liveInstances(deps),
    deps.agentBundle?.(),
  ]);
  if (!bundle)
    throw new ApiError("not_found", "this server has no agent bundle to update to (build the agent)");
  if (nodeStatus(row, live) !== "online")
    throw new ApiError(
      "conflict",
      `Node '${row.name}' is not connected; its agent updates when it reconnects`,
    );
  await deps.bus.publish({ topic: "node.update", nodeId: id, jobId: null });
  return c.json(toNode(row, live, bundle.version), 202);
};
