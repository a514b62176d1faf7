import type { RouteHandler } from "@hono/zod-openapi";
import { userSchema } from "@pylon/shared";
import type { AppEnv } from "../../env.ts";
import { getUser, toUser } from "../../services/users.ts";
import { defineRoute, err, requires } from "../define.ts";
import { json } from "../json.ts";
import { userIdParams } from "./schema.ts";

export const route = defineRoute(requires("admin", "read"), null, {
  method: "get",
  path: "/users/{id}",
  tags: ["users"],
  summary: "Get a user",
  request: { params: userIdParams },
  responses: { 200: json(userSchema, "The user"), 404: err("No such user") },
});

export const handler: RouteHandler<typeof route, AppEnv> = async (c) => {
  return c.json(toUser(await getUser(c.get("deps"), c.req.valid("param").id)), 200);
};
