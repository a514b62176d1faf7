import { OpenAPIHono, type RouteHandler, z } from "@hono/zod-openapi";
import {
  appSchema,
  idSchema,
  jobAcceptedSchema,
  snapshotBodySchema,
  snapshotListSchema,
  snapshotNameSchema,
} from "@pylon/shared";
import type { AppEnv } from "../../env.ts";
import {
  deleteAppSnapshot,
  listSnapshots,
  rollbackApp,
  takeAppSnapshot,
} from "../../services/app-snapshots.ts";
import { getApp } from "../../services/apps.ts";
import { appView } from "../apps/schema.ts";
import { defineRoute, err, requires } from "../define.ts";
import { json, jsonBody } from "../json.ts";
import { requester } from "../requester.ts";

const appIdParams = z.object({ id: idSchema });
const snapParams = z.object({ id: idSchema, name: snapshotNameSchema });
const busy = err(
  "The app has no guest or is busy, or its storage cannot take snapshots (the reason is given)",
);

export const listRoute = defineRoute(requires("viewer", "read"), null, {
  method: "get",
  path: "/apps/{id}/snapshots",
  tags: ["snapshots"],
  summary: "The app's guest snapshots, and what its storage allows (none; ZFS: roll back to the newest only)",
  request: { params: appIdParams },
  responses: {
    200: json(snapshotListSchema, "The snapshots, oldest first"),
    404: err("No such app"),
    409: busy,
  },
});
const listHandler: RouteHandler<typeof listRoute, AppEnv> = async (c) => {
  const deps = c.get("deps");
  return c.json(await listSnapshots(deps, await getApp(deps, c.req.valid("param").id), requester(c)), 200);
};

export const takeRoute = defineRoute(requires("operator", "deploy"), "snapshots.create", {
  method: "post",
  path: "/apps/{id}/snapshots",
  tags: ["snapshots"],
  summary: "Take a snapshot of the app's guest (Pylon keeps the newest PYLON_APP_SNAPSHOTS_KEEP of its own)",
  request: { params: appIdParams, body: jsonBody(snapshotBodySchema) },
  responses: { 202: json(jobAcceptedSchema, "Queued"), 404: err("No such app"), 409: busy },
});
const takeHandler: RouteHandler<typeof takeRoute, AppEnv> = async (c) => {
  const deps = c.get("deps");
  const app = await getApp(deps, c.req.valid("param").id);
  c.set("audit", { action: "snapshots.create", target: app.id });
  return c.json(
    { jobId: await takeAppSnapshot(deps, app, c.req.valid("json").description, requester(c)) },
    202,
  );
};

export const deleteRoute = defineRoute(requires("operator", "write"), "snapshots.delete", {
  method: "delete",
  path: "/apps/{id}/snapshots/{name}",
  tags: ["snapshots"],
  summary: "Delete a snapshot",
  request: { params: snapParams },
  responses: { 202: json(jobAcceptedSchema, "Queued"), 404: err("No such app"), 409: busy },
});
const deleteHandler: RouteHandler<typeof deleteRoute, AppEnv> = async (c) => {
  const deps = c.get("deps");
  const { id, name } = c.req.valid("param");
  c.set("audit", { action: "snapshots.delete", target: `${id}/${name}` });
  return c.json({ jobId: await deleteAppSnapshot(deps, await getApp(deps, id), name, requester(c)) }, 202);
};

export const rollbackRoute = defineRoute(requires("operator", "deploy"), "snapshots.rollback", {
  method: "post",
  path: "/apps/{id}/snapshots/{name}/rollback",
  tags: ["snapshots"],
  summary: "Roll the app back to a snapshot: code and data together; its route and ports follow",
  request: { params: snapParams },
  responses: {
    202: json(appSchema, "Rollback queued (app `deploying`)"),
    404: err("No such app"),
    409: busy,
  },
});
const rollbackHandler: RouteHandler<typeof rollbackRoute, AppEnv> = async (c) => {
  const deps = c.get("deps");
  const { id, name } = c.req.valid("param");
  c.set("audit", { action: "snapshots.rollback", target: `${id}/${name}` });
  return c.json(await appView(c, await rollbackApp(deps, await getApp(deps, id), name, requester(c))), 202);
};

/** /apps/{id}/snapshots: the app's guest snapshots. */
export const snapshotRoutes = () =>
  new OpenAPIHono<AppEnv>()
    .openapi(listRoute, listHandler)
    .openapi(takeRoute, takeHandler)
    .openapi(deleteRoute, deleteHandler)
    .openapi(rollbackRoute, rollbackHandler);
