import { OpenAPIHono } from "@hono/zod-openapi";
import type { AppEnv } from "../../env.ts";
import * as actions from "./actions.ts";
import * as agentUpdate from "./agent-update.ts";
import * as create from "./create.ts";
import * as credential from "./credential.ts";
import * as del from "./delete.ts";
import * as enrollment from "./enrollment.ts";
import * as get from "./get.ts";
import * as list from "./list.ts";
import * as update from "./update.ts";
import * as vmTemplate from "./vm-template.ts";

/** /nodes: Proxmox hosts, their agents and host-level actions. */
export const nodeRoutes = () =>
  new OpenAPIHono<AppEnv>()
    .openapi(list.route, list.handler)
    .openapi(get.route, get.handler)
    .openapi(create.route, create.handler)
    .openapi(update.route, update.handler)
    .openapi(del.route, del.handler)
    .openapi(enrollment.route, enrollment.handler)
    .openapi(credential.revokeRoute, credential.revokeHandler)
    .openapi(credential.rotateRoute, credential.rotateHandler)
    .openapi(agentUpdate.route, agentUpdate.handler)
    .openapi(vmTemplate.route, vmTemplate.handler)
    .openapi(actions.inventoryRoute, actions.inventoryHandler)
    .openapi(actions.powerRoute, actions.powerHandler)
    .openapi(actions.metricsRoute, actions.metricsHandler);
