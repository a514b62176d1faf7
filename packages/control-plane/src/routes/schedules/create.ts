import type { RouteHandler } from "@hono/zod-openapi";
import { scheduleCreateBodySchema, scheduleSchema } from "@pylon/shared";
import type { AppEnv } from "../../env.ts";
import { getApp } from "../../services/apps.ts";
import { createSchedule } from "../../services/schedules.ts";
import { defineRoute, err, requires } from "../define.ts";
import { json, jsonBody } from "../json.ts";
import { appIdParams, toSchedule } from "./schema.ts";

export const route = defineRoute(requires("operator", "write"), "schedules.create", {
  method: "post",
  path: "/apps/{id}/schedules",
  tags: ["schedules"],
  summary: "Add a schedule (backup, restore drill or update check) that the node's agent runs",
  request: { params: appIdParams, body: jsonBody(scheduleCreateBodySchema) },
  responses: {
    201: json(scheduleSchema, "Added; pushed to the node's agent"),
    400: err("A cron expression croner refuses (named in the message)"),
    404: err("No such app"),
    409: err("The app already has a schedule of this kind"),
  },
});

export const handler: RouteHandler<typeof route, AppEnv> = async (c) => {
  const deps = c.get("deps");
  const app = await getApp(deps, c.req.valid("param").id);
  const row = await createSchedule(deps, app.id, c.req.valid("json"));
  c.set("audit", { action: "schedules.create", target: app.id });
  return c.json(toSchedule(row, deps.now()), 201);
};
