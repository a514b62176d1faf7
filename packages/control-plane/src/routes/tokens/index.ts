import { OpenAPIHono } from "@hono/zod-openapi";
import type { AppEnv } from "../../env.ts";
import * as create from "./create.ts";
import * as del from "./delete.ts";
import * as list from "./list.ts";

/** /tokens: API tokens for the CLI and scripts. */
export const tokenRoutes = () =>
  new OpenAPIHono<AppEnv>()
    .openapi(list.route, list.handler)
    .openapi(create.route, create.handler)
    .openapi(del.route, del.handler);
