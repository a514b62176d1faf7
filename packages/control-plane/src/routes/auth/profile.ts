import type { RouteHandler } from "@hono/zod-openapi";
import { displayNameSchema, userSchema } from "@pylon/shared";
import { z } from "zod";
import type { AppEnv } from "../../env.ts";
import { toUser, updateUser } from "../../services/users.ts";
import { defineRoute, requires } from "../define.ts";
import { json, jsonBody } from "../json.ts";

export const route = defineRoute(requires("viewer", "write"), "auth.profile", {
  method: "patch",
  path: "/auth/me",
  tags: ["auth"],
  summary: "Change your own display name",
  request: { body: jsonBody(z.object({ name: displayNameSchema }).strict().meta({ id: "ProfileUpdate" })) },
  responses: { 200: json(userSchema, "Updated") },
});

export const handler: RouteHandler<typeof route, AppEnv> = async (c) => {
  const p = c.get("principal")!;
  c.set("audit", { action: "auth.profile", target: p.user.id });
  const row = await updateUser(c.get("deps"), p.user.id, { name: c.req.valid("json").name });
  return c.json(toUser(row), 200);
};
