import { type RouteHandler, z } from "@hono/zod-openapi";
import { tokenListSchema } from "@pylon/shared";
import type { AppEnv } from "../../env.ts";
import { ApiError } from "../../errors.ts";
import { listTokens, toToken } from "../../services/tokens.ts";
import { defineRoute, requires } from "../define.ts";
import { json } from "../json.ts";

export const route = defineRoute(requires("viewer", "read"), null, {
  method: "get",
  path: "/tokens",
  tags: ["tokens"],
  summary: "List your API tokens (admins: `all=true` lists everyone's); secrets are never shown",
  request: { query: z.object({ all: z.enum(["true", "false"]).optional() }) },
  responses: { 200: json(tokenListSchema, "Tokens") },
});

export const handler: RouteHandler<typeof route, AppEnv> = async (c) => {
  const p = c.get("principal")!;
  const all = c.req.valid("query").all === "true";
  if (all && p.user.role !== "admin")
    throw new ApiError("forbidden", "Only admins can list every user's tokens");
  const rows = await listTokens(c.get("deps"), all ? null : p.user.id);
  return c.json({ items: rows.map(toToken) }, 200);
};
