import type { RouteHandler } from "@hono/zod-openapi";
import type { AppEnv } from "../../env.ts";
import { deleteUser } from "../../services/users.ts";
import { defineRoute, requires } from "../define.ts";
import { userIdParams } from "./schema.ts";

export const route = defineRoute(requires("admin", "admin"), "users.delete", {
  method: "delete",
  path: "/users/{id}",
  tags: ["users"],
  summary: "Delete a user with their sessions and tokens",
  request: { params: userIdParams },
  responses: { 204: { description: "Deleted" } },
});

export const handler: RouteHandler<typeof route, AppEnv> = async (c) => {
  await deleteUser(c.get("deps"), c.req.valid("param").id);
  return c.body(null, 204);
};
