import { OpenAPIHono } from "@hono/zod-openapi";
import type { AppEnv } from "../../env.ts";
import * as complete from "./complete.ts";
import * as status from "./status.ts";

/** /setup: first-run creation of the admin account. */
export const setupRoutes = () =>
  new OpenAPIHono<AppEnv>().openapi(status.route, status.handler).openapi(complete.route, complete.handler);
