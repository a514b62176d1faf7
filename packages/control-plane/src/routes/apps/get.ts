import type { RouteHandler } from "@hono/zod-openapi";
import { appSchema } from "@pylon/shared";
import type { AppEnv } from "../../env.ts";
import { getApp } from "../../services/apps.ts";
import { defineRoute, err, requires } from "../define.ts";
import { json } from "../json.ts";
import { appIdParams, appView } from "./schema.ts";

export const route = defineRoute(requires("viewer", "read"), null, {
  method: "get",
  path: "/apps/{id}",
  tags: ["apps"],
  summary: "One app: status, URL, guest, resources, last deploy and commit",
  request: { params: appIdParams },
  responses: { 200: json(appSchema, "The app"), 404: err("No such app") },
});

export const handler: RouteHandler<typeof route, AppEnv> = async (c) => {
  return c.json(await appView(c, await getApp(c.get("deps"), c.req.valid("param").id)), 200);
};
