import type { RouteHandler } from "@hono/zod-openapi";
import { appSchema, backupSettingsBodySchema } from "@pylon/shared";
import type { AppEnv } from "../../env.ts";
import { getApp } from "../../services/apps.ts";
import { setBackupSettings } from "../../services/backups.ts";
import { appView } from "../apps/schema.ts";
import { defineRoute, err, requires } from "../define.ts";
import { json, jsonBody } from "../json.ts";
import { appIdParams } from "./schema.ts";

export const route = defineRoute(requires("operator", "write"), "backups.settings", {
  method: "put",
  path: "/apps/{id}/backups/settings",
  tags: ["backups"],
  summary:
    "Set the app's retention (Proxmox's keep-last/hourly/daily/weekly/monthly/yearly) and backup storage",
  description:
    "The retention is applied with Proxmox's prune after each backup (try it first with a dry run: POST …/backups/prune). Retention counts per guest: after a restore in place, backups of the old guest are a group of their own.",
  request: { params: appIdParams, body: jsonBody(backupSettingsBodySchema) },
  responses: {
    200: json(appSchema, "Saved"),
    400: err("A bad retention, or a storage that cannot hold backups"),
    404: err("No such app"),
  },
});

export const handler: RouteHandler<typeof route, AppEnv> = async (c) => {
  const deps = c.get("deps");
  const app = await getApp(deps, c.req.valid("param").id);
  const row = await setBackupSettings(deps, app, c.req.valid("json"));
  c.set("audit", { action: "backups.settings", target: app.id });
  return c.json(await appView(c, row), 200);
};
