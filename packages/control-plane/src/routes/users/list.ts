import type { RouteHandler } from "@hono/zod-openapi";
import { userListSchema } from "@pylon/shared";
import type { AppEnv } from "../../env.ts";
import { listUsers, toUser } from "../../services/users.ts";
import { defineRoute, requires } from "../define.ts";
import { json } from "../json.ts";

export const route = defineRoute(requires("admin", "read"), null, {
  method: "get",
  path: "/users",
  tags: ["users"],
  summary: "List users",
  responses: { 200: json(userListSchema, "Every user") },
});

export const handler: RouteHandler<typeof route, AppEnv> = async (c) => {
  const rows = await listUsers(c.get("deps"));
  return c.json({ items: rows.map(toUser) }, 200);
};
