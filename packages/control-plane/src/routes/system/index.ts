import { OpenAPIHono } from "@hono/zod-openapi";
import type { AppEnv } from "../../env.ts";
import * as health from "./health.ts";

/** /healthz and /readyz, outside the versioned API. */
export const systemRoutes = () =>
  new OpenAPIHono<AppEnv>()
    .openapi(health.healthz, health.healthzHandler)
    .openapi(health.readyz, health.readyzHandler);
