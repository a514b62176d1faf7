import { OpenAPIHono } from "@hono/zod-openapi";
import type { AppEnv } from "../../env.ts";
import * as create from "./create.ts";
import * as del from "./delete.ts";
import * as get from "./get.ts";
import * as list from "./list.ts";
import * as update from "./update.ts";

/** /users: account administration (admins). */
export const userRoutes = () =>
  new OpenAPIHono<AppEnv>()
    .openapi(list.route, list.handler)
    .openapi(get.route, get.handler)
    .openapi(create.route, create.handler)
    .openapi(update.route, update.handler)
    .openapi(del.route, del.handler);
