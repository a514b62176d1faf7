import type { RouteHandler } from "@hono/zod-openapi";
import { createdNodeSchema, createNodeBodySchema } from "@pylon/shared";
import type { AppEnv } from "../../env.ts";
import { iso } from "../../lib/time.ts";
import { createNode, installCommand, toNode } from "../../services/nodes.ts";
import { defineRoute, err, requires } from "../define.ts";
import { json, jsonBody } from "../json.ts";
import { baseUrl, installWarning } from "./schema.ts";

export const route = defineRoute(requires("admin", "write"), "nodes.create", {
  method: "post",
  path: "/nodes",
  tags: ["nodes"],
  summary: "Add a node: returns a one-time enrollment token and the install command for the host",
  request: { body: jsonBody(createNodeBodySchema) },
  responses: {
    201: json(createdNodeSchema, "Created; run the install command on the Proxmox host"),
    409: err("Name taken"),
  },
});

export const handler: RouteHandler<typeof route, AppEnv> = async (c) => {
  const { row, token } = await createNode(c.get("deps"), c.req.valid("json"));
  c.set("audit", { action: "nodes.create", target: row.id });
  const base = baseUrl(c);
  return c.json(
    {
      node: toNode(row, new Set()),
      enrollment: {
        token,
        expiresAt: iso(row.enrollmentExpiresAt!),
        installCommand: installCommand(base, token),
        warning: installWarning(c),
      },
    },
    201,
  );
};
