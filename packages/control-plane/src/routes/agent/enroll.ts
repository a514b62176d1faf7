import type { RouteHandler } from "@hono/zod-openapi";
import { enrollBodySchema, enrolledSchema } from "@pylon/shared";
import type { AppEnv } from "../../env.ts";
import { ApiError } from "../../errors.ts";
import { enrollAgent } from "../../services/nodes.ts";
import { lockedFor, recordFailure, type ThrottleKey } from "../../services/throttle.ts";
import { defineRoute, err, PUBLIC } from "../define.ts";
import { json, jsonBody } from "../json.ts";

export const route = defineRoute(PUBLIC, "agent.enroll", {
  method: "post",
  path: "/agent/v1/enroll",
  tags: ["agent"],
  summary: "Agent only: exchange a one-time enrollment token for the node's long-lived credential",
  request: { body: jsonBody(enrollBodySchema) },
  responses: {
    200: json(enrolledSchema, "Enrolled; store the credential (mode 0600)"),
    401: err("Token invalid, used or expired"),
  },
});

export const handler: RouteHandler<typeof route, AppEnv> = async (c) => {
  const deps = c.get("deps");
  const ip = deps.clientIp(c);
  // Guessing tokens is throttled like guessing passwords.
  const keys: ThrottleKey[] = ip ? [{ kind: "ip", key: `enroll-ip:${ip}` }] : [];
  const wait = await lockedFor(deps, keys);
  if (wait > 0) {
    throw new ApiError(
      "too_many_requests",
      `Too many failed enrollments; try again in ${wait} seconds`,
      undefined,
      {
        "Retry-After": String(wait),
      },
    );
  }
  try {
    const enrolled = await enrollAgent(deps, c.req.valid("json"));
    c.set("audit", { action: "agent.enroll", target: enrolled.nodeId });
    return c.json(enrolled, 200);
  } catch (e) {
    if (e instanceof ApiError && e.code === "unauthenticated") await recordFailure(deps, keys);
    throw e;
  }
};
