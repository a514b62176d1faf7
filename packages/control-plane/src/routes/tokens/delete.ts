import { type RouteHandler, z } from "@hono/zod-openapi";
import { idSchema } from "@pylon/shared";
import type { AppEnv } from "../../env.ts";
import { revokeToken } from "../../services/tokens.ts";
import { defineRoute, err, requires } from "../define.ts";

export const route = defineRoute(requires("viewer", "admin"), "tokens.revoke", {
  method: "delete",
  path: "/tokens/{id}",
  tags: ["tokens"],
  summary: "Revoke an API token (yours; admins: any)",
  request: { params: z.object({ id: idSchema }) },
  responses: { 204: { description: "Revoked" }, 404: err("No such token of yours") },
});

export const handler: RouteHandler<typeof route, AppEnv> = async (c) => {
  await revokeToken(c.get("deps"), c.get("principal")!, c.req.valid("param").id);
  return c.body(null, 204);
};
