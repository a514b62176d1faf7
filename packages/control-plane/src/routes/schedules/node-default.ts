import type { RouteHandler } from "@hono/zod-openapi";
import { z } from "@hono/zod-openapi";
import { idSchema, nodeScheduleBodySchema } from "@pylon/shared";
import type { AppEnv } from "../../env.ts";
import { iso } from "../../lib/time.ts";
import { getNode } from "../../services/nodes.ts";
import { nextRuns, setNodeBackupCron } from "../../services/schedules.ts";
import { defineRoute, err, requires } from "../define.ts";
import { json, jsonBody } from "../json.ts";

const nodeDefaultSchema = z
  .object({ backupCron: z.string().nullable(), nextRuns: z.array(z.string()) })
  .meta({ id: "NodeBackupSchedule" });

export const route = defineRoute(requires("admin", "write"), "nodes.backupSchedule", {
  method: "put",
  path: "/nodes/{id}/backup-schedule",
  tags: ["schedules"],
  summary: "Set the node's default backup schedule (apps on it without a backup schedule of their own)",
  request: { params: z.object({ id: idSchema }), body: jsonBody(nodeScheduleBodySchema) },
  responses: {
    200: json(nodeDefaultSchema, "Saved; pushed to the node's agent"),
    400: err("A cron expression croner refuses (named in the message)"),
    404: err("No such node"),
  },
});

export const handler: RouteHandler<typeof route, AppEnv> = async (c) => {
  const deps = c.get("deps");
  const node = await getNode(deps, c.req.valid("param").id);
  const { backupCron } = c.req.valid("json");
  await setNodeBackupCron(deps, node.id, backupCron);
  const saved = (await getNode(deps, node.id)).backupCron;
  c.set("audit", { action: "nodes.backupSchedule", target: node.id });
  return c.json({ backupCron: saved, nextRuns: saved ? nextRuns(saved, 3, deps.now()).map(iso) : [] }, 200);
};
