import { type RouteHandler, z } from "@hono/zod-openapi";
import { DIAGNOSTICS } from "@pylon/shared";
import type { AppEnv } from "../../env.ts";
import { diagnose } from "../../services/app-ops.ts";
import { getApp } from "../../services/apps.ts";
import { defineRoute, err, requires } from "../define.ts";
import { json } from "../json.ts";
import { appIdParams, requester } from "./schema.ts";

// A POST, not a GET: each run starts a job on the node, so it takes the CSRF and Origin checks
// every mutation does (issue 10).
export const route = defineRoute(requires("operator", "read", { privateOutput: true }), null, {
  method: "post",
  path: "/apps/{id}/diagnostics/{name}",
  tags: ["apps"],
  summary: "Run one named read-only diagnostic in the app's guest (logs, status, disk, …); audited",
  description:
    "Runs a fixed, read-only command set in the guest through an `app.diagnostics` job (a view: " +
    "left out of job lists unless asked for, kept a day) and answers its output. No body.",
  request: { params: appIdParams.extend({ name: z.enum(DIAGNOSTICS) }) },
  responses: {
    200: json(z.object({ name: z.enum(DIAGNOSTICS), jobId: z.string(), output: z.string() }), "The output"),
    409: err("The app has no guest, or the command failed"),
    503: err("No answer in time"),
  },
});

export const handler: RouteHandler<typeof route, AppEnv> = async (c) => {
  const { id, name } = c.req.valid("param");
  c.set("audit", { action: `apps.diagnostics.${name}`, target: id });
  const deps = c.get("deps");
  const { jobId, output } = await diagnose(deps, await getApp(deps, id), name, requester(c));
  return c.json({ name, jobId, output }, 200);
};
