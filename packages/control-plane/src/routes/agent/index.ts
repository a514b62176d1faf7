import { OpenAPIHono } from "@hono/zod-openapi";
import type { AppEnv } from "../../env.ts";
import * as enroll from "./enroll.ts";

/** /agent/v1: what the agent on a Proxmox host calls (enrollment; the WebSocket is wired in app.ts). */
export const agentRoutes = () => new OpenAPIHono<AppEnv>().openapi(enroll.route, enroll.handler);
