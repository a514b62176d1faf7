import { type RouteHandler, z } from "@hono/zod-openapi";
import { appSchema, envMapSchema, sshHostKeyFingerprintSchema } from "@pylon/shared";
import type { AppEnv } from "../../env.ts";
import { updateApp } from "../../services/app-ops.ts";
import { getApp } from "../../services/apps.ts";
import { defineRoute, err, requires } from "../define.ts";
import { json, jsonBody } from "../json.ts";
import { appIdParams, appView, requester } from "./schema.ts";

const body = z
  .object({
    cores: z.number().int().min(1).max(64).optional(),
    memoryMb: z.number().int().min(256).max(262_144).optional(),
    diskGb: z.number().int().min(2).max(4096).optional().meta({ description: "New total size; grow only" }),
    env: envMapSchema.optional().meta({ description: "Replaces the environment; applied by a redeploy" }),
    hostKey: sshHostKeyFingerprintSchema.optional().meta({
      description: "Pins the Git host's SSH host key (ssh URLs): later deploys require it",
    }),
  })
  .strict()
  .meta({ id: "UpdateApp" });

export const route = defineRoute(requires("operator", "write"), "apps.update", {
  method: "patch",
  path: "/apps/{id}",
  tags: ["apps"],
  summary:
    "Resize (cores and memory live, disk grow only), change environment variables, or pin the Git host's SSH key",
  request: { params: appIdParams, body: jsonBody(body) },
  responses: { 202: json(appSchema, "Job(s) queued"), 409: err("The app is busy or has no guest") },
});

export const handler: RouteHandler<typeof route, AppEnv> = async (c) => {
  const deps = c.get("deps");
  const row = await updateApp(
    deps,
    await getApp(deps, c.req.valid("param").id),
    c.req.valid("json"),
    requester(c),
  );
  return c.json(await appView(c, row), 202);
};
