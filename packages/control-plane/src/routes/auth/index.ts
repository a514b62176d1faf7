import { OpenAPIHono } from "@hono/zod-openapi";
import type { AppEnv } from "../../env.ts";
import * as login from "./login.ts";
import * as logout from "./logout.ts";
import * as me from "./me.ts";
import * as password from "./password.ts";
import * as profile from "./profile.ts";

/** /auth: sign in and out, who am I, change password. */
export const authRoutes = () =>
  new OpenAPIHono<AppEnv>()
    .openapi(login.route, login.handler)
    .openapi(logout.route, logout.handler)
    .openapi(me.route, me.handler)
    .openapi(password.route, password.handler)
    .openapi(profile.route, profile.handler);
