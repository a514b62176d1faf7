import { type RouteHandler, z } from "@hono/zod-openapi";
import { allBackupsSchema } from "@pylon/shared";
import type { AppEnv } from "../../env.ts";
import { listBackups } from "../../services/backups.ts";
import { defineRoute, requires } from "../define.ts";
import { json } from "../json.ts";
import { backupViews } from "./schema.ts";

export const route = defineRoute(requires("viewer", "read"), null, {
  method: "get",
  path: "/backups",
  tags: ["backups"],
  summary: "Every backup Pylon knows, deleted apps' kept backups included (restorable as a new app)",
  request: {
    query: z.object({
      deletedApps: z
        .enum(["true", "false"])
        .optional()
        .meta({ description: "true: only the kept backups of deleted apps" }),
    }),
  },
  responses: { 200: json(allBackupsSchema, "The backups, newest first") },
});

export const handler: RouteHandler<typeof route, AppEnv> = async (c) => {
  const items = await backupViews(c, await listBackups(c.get("deps")));
  const onlyDeleted = c.req.valid("query").deletedApps === "true";
  return c.json({ items: onlyDeleted ? items.filter((b) => !b.appExists) : items }, 200);
};
