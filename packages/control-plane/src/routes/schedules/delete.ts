import type { RouteHandler } from "@hono/zod-openapi";
import type { AppEnv } from "../../env.ts";
import { deleteSchedule, getSchedule } from "../../services/schedules.ts";
import { defineRoute, err, requires } from "../define.ts";
import { scheduleParams } from "./schema.ts";

export const route = defineRoute(requires("operator", "write"), "schedules.delete", {
  method: "delete",
  path: "/apps/{id}/schedules/{scheduleId}",
  tags: ["schedules"],
  summary: "Remove a schedule (its past runs stay listed)",
  request: { params: scheduleParams },
  responses: {
    204: { description: "Removed; the node's agent stops running it" },
    404: err("No such schedule of this app"),
  },
});

export const handler: RouteHandler<typeof route, AppEnv> = async (c) => {
  const deps = c.get("deps");
  const { id, scheduleId } = c.req.valid("param");
  await deleteSchedule(deps, await getSchedule(deps, id, scheduleId));
  c.set("audit", { action: "schedules.delete", target: scheduleId });
  return c.body(null, 204);
};
