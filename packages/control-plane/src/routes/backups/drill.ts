import type { RouteHandler } from "@hono/zod-openapi";
import { backupSchema } from "@pylon/shared";
import type { AppEnv } from "../../env.ts";
import { queueDrill } from "../../services/backup-restore.ts";
import { toBackup } from "../../services/backup-views.ts";
import { existingApps, getBackup } from "../../services/backups.ts";
import { defineRoute, err, requires } from "../define.ts";
import { json } from "../json.ts";
import { appBackupParams, requester } from "./schema.ts";

export const route = defineRoute(requires("operator", "deploy"), "backups.drill", {
  method: "post",
  path: "/apps/{id}/backups/{backupId}/drill",
  tags: ["backups"],
  summary: "Verify a backup: restore it into a throwaway guest, health-check the app, destroy it",
  description:
    "The throwaway guest has its own VMID, no route and no public port. The verdict lands on the backup (`verified`: passed with time, or failed with the reason).",
  request: { params: appBackupParams },
  responses: {
    202: json(backupSchema, "Drill queued (`verified.status` running)"),
    404: err("No such backup of this app"),
    409: err("The backup is not finished, or a drill of it runs"),
  },
});

export const handler: RouteHandler<typeof route, AppEnv> = async (c) => {
  const deps = c.get("deps");
  const { id, backupId } = c.req.valid("param");
  const row = await queueDrill(deps, await getBackup(deps, backupId, id), requester(c));
  c.set("audit", { action: "backups.drill", target: backupId });
  return c.json(toBackup(row, (await existingApps(deps, [row.appId])).has(row.appId)), 202);
};
