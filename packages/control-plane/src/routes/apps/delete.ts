import { type RouteHandler, z } from "@hono/zod-openapi";
import { appSchema } from "@pylon/shared";
import type { AppEnv } from "../../env.ts";
import { deleteApp } from "../../services/app-ops.ts";
import { getApp } from "../../services/apps.ts";
import { defineRoute, err, requires } from "../define.ts";
import { json } from "../json.ts";
import { appIdParams, appView, requester } from "./schema.ts";

export const route = defineRoute(requires("operator", "write"), "apps.delete", {
  method: "delete",
  path: "/apps/{id}",
  tags: ["apps"],
  summary: "Delete an app: destroys its guest, removes its route and frees its ports",
  request: {
    params: appIdParams,
    query: z.object({ keepBackups: z.enum(["true", "false"]).default("false") }),
  },
  responses: { 202: json(appSchema, "Deletion queued (status deleting)"), 404: err("No such app") },
});

export const handler: RouteHandler<typeof route, AppEnv> = async (c) => {
  const deps = c.get("deps");
  const row = await deleteApp(
    deps,
    await getApp(deps, c.req.valid("param").id),
    c.req.valid("query").keepBackups === "true",
    requester(c),
  );
  return c.json(await appView(c, row), 202);
};
