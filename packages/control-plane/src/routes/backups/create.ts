import type { RouteHandler } from "@hono/zod-openapi";
import { backupSchema, createBackupBodySchema } from "@pylon/shared";
import type { AppEnv } from "../../env.ts";
import { getApp } from "../../services/apps.ts";
import { toBackup } from "../../services/backup-views.ts";
import { createBackup } from "../../services/backups.ts";
import { defineRoute, err, requires } from "../define.ts";
import { json, jsonBody } from "../json.ts";
import { appIdParams, requester } from "./schema.ts";

export const route = defineRoute(requires("operator", "deploy"), "backups.create", {
  method: "post",
  path: "/apps/{id}/backups",
  tags: ["backups"],
  summary: "Back the app up now (vzdump in snapshot mode, zstd), then apply its retention",
  description:
    "Returns the backup in `running`; it turns `ok` (with its volume id and size) or `failed` when the node's agent is done (job `jobId`).",
  request: { params: appIdParams, body: jsonBody(createBackupBodySchema) },
  responses: {
    202: json(backupSchema, "Backup queued"),
    404: err("No such app"),
    409: err("The app has no guest, is busy, or its node has no backup storage"),
  },
});

export const handler: RouteHandler<typeof route, AppEnv> = async (c) => {
  const deps = c.get("deps");
  const app = await getApp(deps, c.req.valid("param").id);
  const row = await createBackup(deps, app, c.req.valid("json"), requester(c));
  c.set("audit", { action: "backups.create", target: row.id });
  return c.json(toBackup(row, true), 202);
};
