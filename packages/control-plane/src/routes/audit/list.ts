import type { RouteHandler } from "@hono/zod-openapi";
import { auditPageSchema, auditQuerySchema } from "@pylon/shared";
import type { AppEnv } from "../../env.ts";
import { listAudit, toAuditEntry } from "../../services/audit.ts";
import { defineRoute, requires } from "../define.ts";
import { json } from "../json.ts";

export const route = defineRoute(requires("admin", "read"), null, {
  method: "get",
  path: "/audit",
  tags: ["audit"],
  summary: "The audit log, newest first, filtered and paged by cursor",
  request: { query: auditQuerySchema },
  responses: { 200: json(auditPageSchema, "One page") },
});

export const handler: RouteHandler<typeof route, AppEnv> = async (c) => {
  const { rows, nextCursor } = await listAudit(c.get("deps"), c.req.valid("query"));
  return c.json({ items: rows.map(toAuditEntry), nextCursor }, 200);
};
