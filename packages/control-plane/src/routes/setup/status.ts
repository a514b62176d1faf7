import type { RouteHandler } from "@hono/zod-openapi";
import { setupStatusSchema } from "@pylon/shared";
import type { AppEnv } from "../../env.ts";
import { setupNeeded } from "../../services/setup.ts";
import { defineRoute, PUBLIC } from "../define.ts";
import { json } from "../json.ts";

export const route = defineRoute(PUBLIC, null, {
  method: "get",
  path: "/setup",
  tags: ["setup"],
  summary: "Whether first-run setup is still open",
  responses: { 200: json(setupStatusSchema, "Setup state") },
});

export const handler: RouteHandler<typeof route, AppEnv> = async (c) => {
  return c.json({ needed: await setupNeeded(c.get("deps")) }, 200);
};
