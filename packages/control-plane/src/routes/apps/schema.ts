import { z } from "@hono/zod-openapi";
import { idSchema } from "@pylon/shared";
import type { Context } from "hono";
import type { AppRow } from "../../db/schema/index.ts";
import type { AppEnv } from "../../env.ts";
import { latestAppMetrics } from "../../services/app-metrics.ts";
import { toApp } from "../../services/app-views.ts";
import { appsConfig } from "../../services/apps.ts";
import { portsOf } from "../../services/ports.ts";

export const appIdParams = z.object({ id: idSchema });

/** The API view of an app row, with its ports and its guest's latest sample. */
export async function appView(c: Context<AppEnv>, row: AppRow) {
  const deps = c.get("deps");
  const [ports, metrics] = await Promise.all([portsOf(deps, row.id), latestAppMetrics(deps, row.id)]);
  return toApp(row, ports, appsConfig(deps).httpsPort, metrics);
}

export { requester } from "../requester.ts";
