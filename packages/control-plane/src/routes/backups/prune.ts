import type { RouteHandler } from "@hono/zod-openapi";
import { appPruneResultSchema, jobAcceptedSchema, pruneBodySchema, pruneResultSchema } from "@pylon/shared";
import type { AppEnv } from "../../env.ts";
import { ApiError } from "../../errors.ts";
import { iso } from "../../lib/time.ts";
import { getApp } from "../../services/apps.ts";
import { backupsByVolid, queuePrune } from "../../services/backups.ts";
import { awaitJob } from "../../services/jobs.ts";
import { defineRoute, err, requires } from "../define.ts";
import { json, jsonBody } from "../json.ts";
import { appIdParams, requester } from "./schema.ts";

export const route = defineRoute(requires("operator", "write"), "backups.prune", {
  method: "post",
  path: "/apps/{id}/backups/prune",
  tags: ["backups"],
  summary: "Prune the app's backups with its retention, or show what would go (dry run)",
  request: { params: appIdParams, body: jsonBody(pruneBodySchema) },
  responses: {
    200: json(pruneResultSchema, "Dry run: Proxmox's mark for every backup (keep, remove, protected)"),
    202: json(jobAcceptedSchema, "Prune queued; pruned backups leave the list when done"),
    404: err("No such app"),
    409: err("The app has no guest, or the node has no backup storage"),
    503: err("The dry run did not finish in time"),
  },
});

export const handler: RouteHandler<typeof route, AppEnv> = async (c) => {
  const deps = c.get("deps");
  const app = await getApp(deps, c.req.valid("param").id);
  const body = c.req.valid("json");
  if (!body.dryRun) c.set("audit", { action: "backups.prune", target: app.id });
  const jobId = await queuePrune(deps, app, body, requester(c));
  if (!body.dryRun) return c.json({ jobId }, 202);
  const parsed = appPruneResultSchema.safeParse(await awaitJob(deps, jobId, "The prune dry run"));
  if (!parsed.success) throw new ApiError("internal", "The agent's prune marks could not be read");
  const rows = await backupsByVolid(
    deps,
    app.nodeId,
    parsed.data.entries.map((e) => e.volid),
  );
  return c.json(
    {
      jobId,
      entries: parsed.data.entries.map((e) => ({
        volid: e.volid,
        backupId: rows.get(e.volid)?.id ?? null,
        takenAt: iso(e.ctime * 1000),
        mark: e.mark,
      })),
    },
    200,
  );
};
