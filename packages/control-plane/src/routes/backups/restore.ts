import type { RouteHandler } from "@hono/zod-openapi";
import { appSchema, restoreAsNewBodySchema, restoreBackupBodySchema } from "@pylon/shared";
import type { AppEnv } from "../../env.ts";
import { getApp } from "../../services/apps.ts";
import { restoreAsNew, restoreInPlace } from "../../services/backup-restore.ts";
import { getBackup } from "../../services/backups.ts";
import { appView } from "../apps/schema.ts";
import { defineRoute, err, requires } from "../define.ts";
import { json, jsonBody } from "../json.ts";
import { appBackupParams, backupIdParams, requester } from "./schema.ts";

export const route = defineRoute(requires("operator", "deploy"), "backups.restore", {
  method: "post",
  path: "/apps/{id}/backups/{backupId}/restore",
  tags: ["backups"],
  summary: "Restore a backup in place, or as a new app",
  description:
    "`in-place`: the backup is restored into a new guest that runs the app as it was then (source, env, secrets, data) and takes over the app's route; the old guest is destroyed only after that, so a restore that fails leaves the app running as before. Name, route, ports and webhook stay. `new`: a new app with its own name, VMID, ports and route. Returns the app in `deploying`; follow `lastJobId`.",
  request: { params: appBackupParams, body: jsonBody(restoreBackupBodySchema) },
  responses: {
    202: json(appSchema, "Restore queued; the app restored in place, or the new app"),
    404: err("No such backup of this app"),
    409: err("The backup is not finished, the app is busy, or the new name is taken"),
  },
});

export const handler: RouteHandler<typeof route, AppEnv> = async (c) => {
  const deps = c.get("deps");
  const { id, backupId } = c.req.valid("param");
  const body = c.req.valid("json");
  const backup = await getBackup(deps, backupId, id);
  const row =
    body.target === "in-place"
      ? await restoreInPlace(deps, await getApp(deps, id), backup, requester(c))
      : await restoreAsNew(deps, backup, body, requester(c));
  c.set("audit", { action: `backups.restore.${body.target}`, target: row.id });
  return c.json(await appView(c, row), 202);
};

export const newRoute = defineRoute(requires("operator", "deploy"), "backups.restore.new", {
  method: "post",
  path: "/backups/{backupId}/restore",
  tags: ["backups"],
  summary: "Restore any backup as a new app (a deleted app's kept backups too)",
  request: { params: backupIdParams, body: jsonBody(restoreAsNewBodySchema) },
  responses: {
    202: json(appSchema, "Restore queued; the new app in `deploying`"),
    404: err("No such backup"),
    409: err("The backup is not finished, or the name is taken"),
  },
});

export const newHandler: RouteHandler<typeof newRoute, AppEnv> = async (c) => {
  const deps = c.get("deps");
  const backup = await getBackup(deps, c.req.valid("param").backupId);
  const row = await restoreAsNew(deps, backup, c.req.valid("json"), requester(c));
  c.set("audit", { action: "backups.restore.new", target: row.id });
  return c.json(await appView(c, row), 202);
};
