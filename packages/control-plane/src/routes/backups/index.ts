import { OpenAPIHono } from "@hono/zod-openapi";
import type { AppEnv } from "../../env.ts";
import * as all from "./all.ts";
import * as create from "./create.ts";
import * as del from "./delete.ts";
import * as drill from "./drill.ts";
import * as list from "./list.ts";
import * as prune from "./prune.ts";
import * as restore from "./restore.ts";
import * as settings from "./settings.ts";
import * as update from "./update.ts";

/** /apps/{id}/backups and /backups: backups, retention, restores and restore drills. */
export const backupRoutes = () =>
  new OpenAPIHono<AppEnv>()
    .openapi(list.route, list.handler)
    .openapi(create.route, create.handler)
    .openapi(settings.route, settings.handler)
    .openapi(prune.route, prune.handler)
    .openapi(update.route, update.handler)
    .openapi(del.route, del.handler)
    .openapi(restore.route, restore.handler)
    .openapi(drill.route, drill.handler)
    .openapi(all.route, all.handler)
    .openapi(restore.newRoute, restore.newHandler);
