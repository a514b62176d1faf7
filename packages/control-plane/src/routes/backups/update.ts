import type { RouteHandler } from "@hono/zod-openapi";
import { jobAcceptedSchema, updateBackupBodySchema } from "@pylon/shared";
import type { AppEnv } from "../../env.ts";
import { getBackup, protectBackup } from "../../services/backups.ts";
import { defineRoute, err, requires } from "../define.ts";
import { json, jsonBody } from "../json.ts";
import { appBackupParams, requester } from "./schema.ts";

export const route = defineRoute(requires("operator", "write"), "backups.protect", {
  method: "patch",
  path: "/apps/{id}/backups/{backupId}",
  tags: ["backups"],
  summary: "Protect a backup (never pruned or deleted) or unprotect it",
  request: { params: appBackupParams, body: jsonBody(updateBackupBodySchema) },
  responses: {
    202: json(jobAcceptedSchema, "Queued; the backup's `protected` changes when the agent is done"),
    404: err("No such backup of this app"),
    409: err("The backup is not finished"),
  },
});

export const handler: RouteHandler<typeof route, AppEnv> = async (c) => {
  const deps = c.get("deps");
  const { id, backupId } = c.req.valid("param");
  const value = c.req.valid("json").protected;
  c.set("audit", { action: value ? "backups.protect" : "backups.unprotect", target: backupId });
  const jobId = await protectBackup(deps, await getBackup(deps, backupId, id), value, requester(c));
  return c.json({ jobId }, 202);
};
