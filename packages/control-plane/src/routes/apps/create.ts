import type { RouteHandler } from "@hono/zod-openapi";
import { appSchema, createAppBodySchema } from "@pylon/shared";
import type { AppEnv } from "../../env.ts";
import { createApp } from "../../services/apps.ts";
import { defineRoute, err, requires } from "../define.ts";
import { json, jsonBody } from "../json.ts";
import { appView, requester } from "./schema.ts";

export const route = defineRoute(requires("operator", "deploy"), "apps.create", {
  method: "post",
  path: "/apps",
  tags: ["apps"],
  summary: "Deploy an app from the catalog or a Git repository into a new LXC container or VM",
  description:
    "Returns at once with the app in `deploying` and `lastJobId`; follow the deploy live at /api/v1/jobs/{lastJobId}/stream. Secrets are stored encrypted and never returned.",
  request: { body: jsonBody(createAppBodySchema) },
  responses: {
    202: json(appSchema, "Deploy queued"),
    409: err("Name or domain taken, or the node has no agent"),
  },
});

export const handler: RouteHandler<typeof route, AppEnv> = async (c) => {
  const row = await createApp(c.get("deps"), c.req.valid("json"), requester(c));
  c.set("audit", { action: "apps.create", target: row.id });
  return c.json(await appView(c, row), 202);
};
