import type { RouteHandler } from "@hono/zod-openapi";
import { updateUserBodySchema, userSchema } from "@pylon/shared";
import type { AppEnv } from "../../env.ts";
import { toUser, updateUser } from "../../services/users.ts";
import { defineRoute, requires } from "../define.ts";
import { json, jsonBody } from "../json.ts";
import { userIdParams } from "./schema.ts";

export const route = defineRoute(requires("admin", "admin"), "users.update", {
  method: "patch",
  path: "/users/{id}",
  tags: ["users"],
  summary: "Change a user's name, role, password or disabled flag",
  description:
    "Disabling a user or setting a new password ends their sessions; a disabled user's tokens stop working.",
  request: { params: userIdParams, body: jsonBody(updateUserBodySchema) },
  responses: { 200: json(userSchema, "Updated") },
});

export const handler: RouteHandler<typeof route, AppEnv> = async (c) => {
  const row = await updateUser(c.get("deps"), c.req.valid("param").id, c.req.valid("json"));
  return c.json(toUser(row), 200);
};
