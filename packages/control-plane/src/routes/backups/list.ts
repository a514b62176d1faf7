import type { RouteHandler } from "@hono/zod-openapi";
import { backupListSchema } from "@pylon/shared";
import type { AppEnv } from "../../env.ts";
import { getApp } from "../../services/apps.ts";
import { backupStorages } from "../../services/backup-views.ts";
import { backupStorageFor, listBackups } from "../../services/backups.ts";
import { getNode } from "../../services/nodes.ts";
import { defineRoute, err, requires } from "../define.ts";
import { json } from "../json.ts";
import { appIdParams, backupViews } from "./schema.ts";

export const route = defineRoute(requires("viewer", "read"), null, {
  method: "get",
  path: "/apps/{id}/backups",
  tags: ["backups"],
  summary: "An app's backups (newest first), its retention and where new backups go",
  request: { params: appIdParams },
  responses: { 200: json(backupListSchema, "The backups"), 404: err("No such app") },
});

export const handler: RouteHandler<typeof route, AppEnv> = async (c) => {
  const deps = c.get("deps");
  const app = await getApp(deps, c.req.valid("param").id);
  const node = await getNode(deps, app.nodeId);
  return c.json(
    {
      items: await backupViews(c, await listBackups(deps, app.id)),
      retention: app.retention,
      storage: backupStorageFor(app, node),
      appStorage: app.backupStorage,
      storages: backupStorages(node),
    },
    200,
  );
};
