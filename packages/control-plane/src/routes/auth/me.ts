import type { RouteHandler } from "@hono/zod-openapi";
import { meSchema } from "@pylon/shared";
import type { AppEnv } from "../../env.ts";
import { toUser } from "../../services/users.ts";
import { defineRoute, requires } from "../define.ts";
import { json } from "../json.ts";

export const route = defineRoute(requires("viewer", "read"), null, {
  method: "get",
  path: "/auth/me",
  tags: ["auth"],
  summary: "Who am I: the signed-in user or the token's owner",
  responses: { 200: json(meSchema, "The caller") },
});

export const handler: RouteHandler<typeof route, AppEnv> = async (c) => {
  const p = c.get("principal")!;
  if (p.kind === "token") {
    return c.json(
      {
        user: toUser(p.user),
        via: "token" as const,
        token: { id: p.tokenId, name: p.tokenName, scopes: p.scopes },
      },
      200,
    );
  }
  return c.json({ user: toUser(p.user), via: "session" as const, csrfToken: p.csrfToken }, 200);
};
