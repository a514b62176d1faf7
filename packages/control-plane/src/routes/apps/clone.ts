import { type RouteHandler, z } from "@hono/zod-openapi";
import { appSchema, dnsNameSchema, fqdnSchema } from "@pylon/shared";
import type { AppEnv } from "../../env.ts";
import { cloneApp } from "../../services/app-clone.ts";
import { getApp } from "../../services/apps.ts";
import { defineRoute, err, requires } from "../define.ts";
import { json, jsonBody } from "../json.ts";
import { appIdParams, appView, requester } from "./schema.ts";

export const route = defineRoute(requires("operator", "deploy"), "apps.clone", {
  method: "post",
  path: "/apps/{id}/clone",
  tags: ["apps"],
  summary: "Clone an app into a new guest with its own name and route",
  description:
    "The new guest is a full clone of the app's guest (taken from a snapshot, so the app keeps running): it starts with the app's files and volumes, then runs the app on its own port, name and URL. Returns the new app in `deploying`; follow `lastJobId`.",
  request: {
    params: appIdParams,
    body: jsonBody(
      z
        .object({
          name: dnsNameSchema,
          domain: fqdnSchema
            .optional()
            .meta({ description: "Host name to serve the clone at (default: <name>.<apps domain>)" }),
        })
        .strict()
        .meta({ id: "CloneApp" }),
    ),
  },
  responses: {
    202: json(appSchema, "Clone queued; the new app"),
    409: err("Name or domain taken, or the app has no guest yet or is busy"),
  },
});

export const handler: RouteHandler<typeof route, AppEnv> = async (c) => {
  const deps = c.get("deps");
  const source = await getApp(deps, c.req.valid("param").id);
  const row = await cloneApp(deps, source, c.req.valid("json"), requester(c));
  c.set("audit", { action: "apps.clone", target: row.id });
  return c.json(await appView(c, row), 202);
};
