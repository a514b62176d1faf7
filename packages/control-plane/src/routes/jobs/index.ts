import { OpenAPIHono } from "@hono/zod-openapi";
import type { AppEnv } from "../../env.ts";
import * as cancel from "./cancel.ts";
import * as events from "./events.ts";
import * as get from "./get.ts";
import * as list from "./list.ts";
import * as stream from "./stream.ts";

/** /jobs: every unit of work and its live events. */
export const jobRoutes = () =>
  new OpenAPIHono<AppEnv>()
    .openapi(list.route, list.handler)
    .openapi(get.route, get.handler)
    .openapi(cancel.route, cancel.handler)
    .openapi(events.route, events.handler)
    .openapi(stream.route, stream.handler);
