import { type RouteHandler, z } from "@hono/zod-openapi";
import { appSchema } from "@pylon/shared";
import type { AppEnv } from "../../env.ts";
import { appAction } from "../../services/app-ops.ts";
import { getApp } from "../../services/apps.ts";
import { defineRoute, err, requires } from "../define.ts";
import { json, jsonBody } from "../json.ts";
import { appIdParams, appView, requester } from "./schema.ts";

export const route = defineRoute(requires("operator", "deploy"), "apps.action", {
  method: "post",
  path: "/apps/{id}/actions",
  tags: ["apps"],
  summary:
    "Start, stop, restart or redeploy an app (a redeploy snapshots first and rolls back on a failed health check)",
  request: {
    params: appIdParams,
    body: jsonBody(
      z
        .object({ action: z.enum(["start", "stop", "restart", "redeploy"]) })
        .strict()
        .meta({ id: "AppAction" }),
    ),
  },
  responses: {
    202: json(appSchema, "Job queued; see lastJobId"),
    409: err("The app is busy or has no guest"),
  },
});

export const handler: RouteHandler<typeof route, AppEnv> = async (c) => {
  const deps = c.get("deps");
  const row = await appAction(
    deps,
    await getApp(deps, c.req.valid("param").id),
    c.req.valid("json").action,
    requester(c),
  );
  return c.json(await appView(c, row), 202);
};
