import type { RouteHandler } from "@hono/zod-openapi";
import { createdTokenSchema, createTokenBodySchema } from "@pylon/shared";
import type { AppEnv } from "../../env.ts";
import { createToken, toToken } from "../../services/tokens.ts";
import { defineRoute, requires } from "../define.ts";
import { json, jsonBody } from "../json.ts";

export const route = defineRoute(requires("viewer", "admin"), "tokens.create", {
  method: "post",
  path: "/tokens",
  tags: ["tokens"],
  summary: "Create an API token; the secret is in this answer only",
  description:
    "Scopes: read < deploy < write < admin; each implies the ones before it. A token never carries more than its creator's role allows (viewer: read, operator: up to write, admin: all).",
  request: { body: jsonBody(createTokenBodySchema) },
  responses: { 201: json(createdTokenSchema, "Created; store the secret now") },
});

export const handler: RouteHandler<typeof route, AppEnv> = async (c) => {
  const { row, secret } = await createToken(c.get("deps"), c.get("principal")!, c.req.valid("json"));
  c.set("audit", { action: "tokens.create", target: row.id });
  return c.json({ token: toToken(row), secret }, 201);
};
