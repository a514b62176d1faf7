import { OpenAPIHono } from "@hono/zod-openapi";
import type { AppEnv } from "../../env.ts";
import * as get from "./get.ts";
import * as list from "./list.ts";

/** /catalog: the apps Pylon can deploy. */
export const catalogRoutes = () =>
  new OpenAPIHono<AppEnv>().openapi(list.route, list.handler).openapi(get.route, get.handler);
