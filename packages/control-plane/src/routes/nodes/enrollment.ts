import type { RouteHandler } from "@hono/zod-openapi";
import { enrollmentSchema } from "@pylon/shared";
import type { AppEnv } from "../../env.ts";
import { iso } from "../../lib/time.ts";
import { installCommand, reissueEnrollment } from "../../services/nodes.ts";
import { defineRoute, err, requires } from "../define.ts";
import { json } from "../json.ts";
import { baseUrl, installWarning, nodeIdParams } from "./schema.ts";

export const route = defineRoute(requires("admin", "write"), "nodes.enrollment", {
  method: "post",
  path: "/nodes/{id}/enrollment",
  tags: ["nodes"],
  summary: "Issue a new one-time enrollment token (reinstall the agent, or re-enroll after a revocation)",
  request: { params: nodeIdParams },
  responses: { 201: json(enrollmentSchema, "New enrollment token"), 404: err("No such node") },
});

export const handler: RouteHandler<typeof route, AppEnv> = async (c) => {
  const { row, token } = await reissueEnrollment(c.get("deps"), c.req.valid("param").id);
  return c.json(
    {
      token,
      expiresAt: iso(row.enrollmentExpiresAt!),
      installCommand: installCommand(baseUrl(c), token),
      warning: installWarning(c),
    },
    201,
  );
};
