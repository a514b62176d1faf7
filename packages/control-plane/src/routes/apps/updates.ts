// POST /apps/{id}/update-check and /apps/{id}/update: catalog app updates.
import type { RouteHandler } from "@hono/zod-openapi";
import { appSchema, appUpdateSchema } from "@pylon/shared";
import type { AppEnv } from "../../env.ts";
import { checkAppUpdate, startAppUpdate } from "../../services/app-updates.ts";
import { getApp } from "../../services/apps.ts";
import { defineRoute, err, requires } from "../define.ts";
import { json } from "../json.ts";
import { appIdParams, appView, requester } from "./schema.ts";

export const checkRoute = defineRoute(requires("operator", "deploy"), "apps.update_check", {
  method: "post",
  path: "/apps/{id}/update-check",
  tags: ["apps"],
  summary: "Compare a catalog app's version with the catalog's current one (recorded on the app)",
  request: { params: appIdParams },
  responses: {
    200: json(appUpdateSchema, "The versions; `available` is null when the app is up to date"),
    404: err("No such app"),
    409: err("The app is not from the catalog, or its entry is gone"),
  },
});

export const checkHandler: RouteHandler<typeof checkRoute, AppEnv> = async (c) => {
  const deps = c.get("deps");
  const app = await getApp(deps, c.req.valid("param").id);
  return c.json(await checkAppUpdate(deps, app), 200);
};

export const route = defineRoute(requires("operator", "deploy"), "apps.update", {
  method: "post",
  path: "/apps/{id}/update",
  tags: ["apps"],
  summary:
    "Update a catalog app to the catalog's current version: snapshot, redeploy keeping env, route, ports and volumes, health check, automatic rollback on failure",
  request: { params: appIdParams },
  responses: {
    202: json(appSchema, "Update job queued; see lastJobId"),
    404: err("No such app"),
    409: err(
      "Not a catalog app, already the newest, busy, no guest, or on storage without snapshots (no way back)",
    ),
  },
});

export const handler: RouteHandler<typeof route, AppEnv> = async (c) => {
  const deps = c.get("deps");
  const app = await getApp(deps, c.req.valid("param").id);
  return c.json(await appView(c, await startAppUpdate(deps, app, requester(c))), 202);
};
