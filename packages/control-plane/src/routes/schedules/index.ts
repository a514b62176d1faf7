import { OpenAPIHono } from "@hono/zod-openapi";
import type { AppEnv } from "../../env.ts";
import * as create from "./create.ts";
import * as del from "./delete.ts";
import * as list from "./list.ts";
import * as nodeDefault from "./node-default.ts";
import * as update from "./update.ts";

/** /apps/{id}/schedules and /nodes/{id}/backup-schedule: schedules the node's agent runs. */
export const scheduleRoutes = () =>
  new OpenAPIHono<AppEnv>()
    .openapi(list.route, list.handler)
    .openapi(create.route, create.handler)
    .openapi(update.route, update.handler)
    .openapi(del.route, del.handler)
    .openapi(nodeDefault.route, nodeDefault.handler);
