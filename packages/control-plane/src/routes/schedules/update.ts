import type { RouteHandler } from "@hono/zod-openapi";
import { scheduleSchema, scheduleUpdateBodySchema } from "@pylon/shared";
import type { AppEnv } from "../../env.ts";
import { getSchedule, updateSchedule } from "../../services/schedules.ts";
import { defineRoute, err, requires } from "../define.ts";
import { json, jsonBody } from "../json.ts";
import { scheduleParams, toSchedule } from "./schema.ts";

export const route = defineRoute(requires("operator", "write"), "schedules.update", {
  method: "patch",
  path: "/apps/{id}/schedules/{scheduleId}",
  tags: ["schedules"],
  summary: "Change a schedule's cron expression, or turn it on or off",
  request: { params: scheduleParams, body: jsonBody(scheduleUpdateBodySchema) },
  responses: {
    200: json(scheduleSchema, "Changed; pushed to the node's agent"),
    400: err("A cron expression croner refuses (named in the message)"),
    404: err("No such schedule of this app"),
  },
});

export const handler: RouteHandler<typeof route, AppEnv> = async (c) => {
  const deps = c.get("deps");
  const { id, scheduleId } = c.req.valid("param");
  const row = await updateSchedule(deps, await getSchedule(deps, id, scheduleId), c.req.valid("json"));
  c.set("audit", { action: "schedules.update", target: scheduleId });
  return c.json(toSchedule(row, deps.now()), 200);
};
