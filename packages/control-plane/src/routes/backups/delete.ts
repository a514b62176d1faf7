import type { RouteHandler } from "@hono/zod-openapi";
import { jobAcceptedSchema } from "@pylon/shared";
import type { AppEnv } from "../../env.ts";
import { deleteBackup, getBackup } from "../../services/backups.ts";
import { defineRoute, err, requires } from "../define.ts";
import { json } from "../json.ts";
import { appBackupParams, requester } from "./schema.ts";

export const route = defineRoute(requires("operator", "write"), "backups.delete", {
  method: "delete",
  path: "/apps/{id}/backups/{backupId}",
  tags: ["backups"],
  summary: "Delete a backup from its storage (a failed one's record at once)",
  request: { params: appBackupParams },
  responses: {
    202: json(jobAcceptedSchema, "Deletion queued; the backup goes from the list when done"),
    204: { description: "A failed backup's record deleted" },
    404: err("No such backup of this app"),
    409: err("The backup is protected or still being made"),
  },
});

export const handler: RouteHandler<typeof route, AppEnv> = async (c) => {
  const deps = c.get("deps");
  const { id, backupId } = c.req.valid("param");
  c.set("audit", { action: "backups.delete", target: backupId });
  const jobId = await deleteBackup(deps, await getBackup(deps, backupId, id), requester(c));
  if (jobId === null) return c.body(null, 204);
  return c.json({ jobId }, 202);
};
