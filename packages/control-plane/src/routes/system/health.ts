import { type RouteHandler, z } from "@hono/zod-openapi";
import { sql } from "drizzle-orm";
import type { AppEnv } from "../../env.ts";
import { ApiError } from "../../errors.ts";
import { defineRoute, err, PUBLIC } from "../define.ts";
import { json } from "../json.ts";

const status = z
  .object({
    status: z.string(),
    version: z.string().optional(),
    runtime: z.enum(["node", "workers"]).optional().meta({ description: "The runtime that answered" }),
  })
  .meta({ id: "Health" });

export const healthz = defineRoute(PUBLIC, null, {
  method: "get",
  path: "/healthz",
  tags: ["system"],
  summary: "Liveness: the process is up",
  responses: { 200: json(status, "Up") },
});

export const healthzHandler: RouteHandler<typeof healthz, AppEnv> = (c) =>
  c.json({ status: "ok", version: c.get("deps").version, runtime: c.get("deps").runtime }, 200);

export const readyz = defineRoute(PUBLIC, null, {
  method: "get",
  path: "/readyz",
  tags: ["system"],
  summary: "Readiness: start-up is done (migrations, first admin, agent hub) and the database answers",
  responses: { 200: json(status, "Ready"), 503: err("Still starting, or the database does not answer") },
});

export const readyzHandler: RouteHandler<typeof readyz, AppEnv> = async (c) => {
  const pending = c.get("deps").pending?.();
  if (pending)
    throw new ApiError("unavailable", `Not ready yet: ${pending}`, undefined, { "Retry-After": "1" });
  try {
    await c.get("deps").db.run(sql`select 1`);
  } catch {
    throw new ApiError("unavailable", "The database does not answer");
  }
  return c.json({ status: "ready" }, 200);
};
