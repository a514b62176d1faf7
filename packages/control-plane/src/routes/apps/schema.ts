import { z } from "@hono/zod-openapi";
import { idSchema } from "@pylon/shared";
import type { Context } from "hono";
import type { AppRow } from "../../db/schema/index.ts";
import type { AppEnv } from "../../env.ts";
import { toApp } from "../../services/app-views.ts";
import { appsConfig } from "../../services/apps.ts";
import { portsOf } from "../../services/ports.ts";

export const appIdParams = z.object({ id: idSchema });

/** The API view of an app row, with its ports. */
export async function appView(c: Context<AppEnv>, row: AppRow) {
  const deps = c.get("deps");
  return toApp(row, await portsOf(deps, row.id), appsConfig(deps).httpsPort);
}

export { requester } from "../requester.ts";
