import { z } from "@hono/zod-openapi";
import { idSchema } from "@pylon/shared";
import type { Context } from "hono";
import type { AppEnv } from "../../env.ts";

export const nodeIdParams = z.object({ id: idSchema });

/** The base URL agents and browsers reach this control plane at. */
export function baseUrl(c: Context<AppEnv>): string {
  return (c.get("deps").publicUrl ?? new URL(c.req.url).origin).replace(/\/$/, "");
}
