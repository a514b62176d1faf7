import { OpenAPIHono } from "@hono/zod-openapi";
import type { AppEnv } from "../../env.ts";
import * as list from "./list.ts";

/** /audit: who did what (admins). */
export const auditRoutes = () => new OpenAPIHono<AppEnv>().openapi(list.route, list.handler);
