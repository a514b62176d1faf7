import { z } from "@hono/zod-openapi";
import type { AppDeps } from "../deps.ts";
import { iso } from "../lib/time.ts";

/** `?since=` of the metrics routes (nodes and apps). */
export const metricsQuery = z.object({
  since: z.iso.datetime({ offset: true }).optional().meta({ description: "Default: 24 hours ago" }),
});

/** Where a metrics series starts: `since`, or a day ago. */
export function metricsFrom(deps: Pick<AppDeps, "now">, since: string | undefined): number {
  return since ? Date.parse(since) : deps.now() - 24 * 3600_000;
}

/** The API view of a stored sample: its time as ISO, the figures as they are. */
export function toSample<R extends { at: number }>(row: R): Omit<R, "at"> & { at: string } {
  return { ...row, at: iso(row.at) };
}
