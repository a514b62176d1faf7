import type { RouteHandler } from "@hono/zod-openapi";
import { scheduleListSchema } from "@pylon/shared";
import type { AppEnv } from "../../env.ts";
import { iso } from "../../lib/time.ts";
import { getApp } from "../../services/apps.ts";
import { getNode } from "../../services/nodes.ts";
import { listRuns } from "../../services/schedule-runs.ts";
import { listSchedules, nextRuns } from "../../services/schedules.ts";
import { defineRoute, err, requires } from "../define.ts";
import { json } from "../json.ts";
import { appIdParams, toSchedule, toScheduleRun } from "./schema.ts";

export const route = defineRoute(requires("viewer", "read"), null, {
  method: "get",
  path: "/apps/{id}/schedules",
  tags: ["schedules"],
  summary: "An app's schedules with their next 3 runs, the node's default, and the latest runs",
  description:
    "Schedules run on the node's agent, also while Pylon is unreachable; their runs (and runs the agent missed while it was down, status `missed`) arrive when the link is back.",
  request: { params: appIdParams },
  responses: { 200: json(scheduleListSchema, "The schedules"), 404: err("No such app") },
});

export const handler: RouteHandler<typeof route, AppEnv> = async (c) => {
  const deps = c.get("deps");
  const app = await getApp(deps, c.req.valid("param").id);
  const node = await getNode(deps, app.nodeId);
  const now = deps.now();
  const rows = await listSchedules(deps, app.id);
  const nodeDefault = node.backupCron
    ? {
        cron: node.backupCron,
        nextRuns: nextRuns(node.backupCron, 3, now).map(iso),
        applies: !rows.some((r) => r.kind === "backup"),
      }
    : null;
  return c.json(
    {
      items: rows.map((r) => toSchedule(r, now)),
      nodeDefault,
      runs: (await listRuns(deps, app.id)).map(toScheduleRun),
    },
    200,
  );
};
