import { OpenAPIHono } from "@hono/zod-openapi";
import type { AppEnv } from "../../env.ts";
import * as actions from "./actions.ts";
import * as clone from "./clone.ts";
import * as create from "./create.ts";
import * as del from "./delete.ts";
import * as diagnostics from "./diagnostics.ts";
import * as get from "./get.ts";
import * as list from "./list.ts";
import * as logs from "./logs.ts";
import * as metrics from "./metrics.ts";
import * as plan from "./plan.ts";
import * as update from "./update.ts";
import * as updates from "./updates.ts";
import * as webhook from "./webhook.ts";

/** /apps: deployed apps and what can be done with them. */
export const appRoutes = () =>
  new OpenAPIHono<AppEnv>()
    .openapi(plan.route, plan.handler)
    .openapi(list.route, list.handler)
    .openapi(get.route, get.handler)
    .openapi(create.route, create.handler)
    .openapi(actions.route, actions.handler)
    .openapi(clone.route, clone.handler)
    .openapi(update.route, update.handler)
    .openapi(updates.checkRoute, updates.checkHandler)
    .openapi(updates.route, updates.handler)
    .openapi(del.route, del.handler)
    .openapi(diagnostics.route, diagnostics.handler)
    .openapi(logs.route, logs.handler)
    .openapi(metrics.route, metrics.handler)
    .openapi(webhook.infoRoute, webhook.infoHandler)
    .openapi(webhook.route, webhook.handler);
