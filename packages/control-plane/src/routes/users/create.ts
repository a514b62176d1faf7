import type { RouteHandler } from "@hono/zod-openapi";
import { createUserBodySchema, userSchema } from "@pylon/shared";
import type { AppEnv } from "../../env.ts";
import { createUser, toUser } from "../../services/users.ts";
import { defineRoute, err, requires } from "../define.ts";
import { json, jsonBody } from "../json.ts";

export const route = defineRoute(requires("admin", "admin"), "users.create", {
  method: "post",
  path: "/users",
  tags: ["users"],
  summary: "Create a user",
  request: { body: jsonBody(createUserBodySchema) },
  responses: { 201: json(userSchema, "Created"), 409: err("Email already in use") },
});

export const handler: RouteHandler<typeof route, AppEnv> = async (c) => {
  const body = c.req.valid("json");
  c.set("audit", { action: "users.create", target: body.email });
  const row = await createUser(c.get("deps"), body);
  c.set("audit", { action: "users.create", target: row.id });
  return c.json(toUser(row), 201);
};
