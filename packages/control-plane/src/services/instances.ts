import { gt, lt } from "drizzle-orm";
import { instances } from "../db/schema/index.ts";
import type { AppDeps } from "../deps.ts";

type Deps = Pick<AppDeps, "db" | "now">;

/** A process counts as alive while its heartbeat is younger than this. */
export const INSTANCE_TTL_MS = 15_000;

/** Records that this process is alive (called every few seconds by the hub). */
export async function beatInstance(deps: Deps, id: string, startedAt: number): Promise<void> {
  const now = deps.now();
  await deps.db
    .insert(instances)
    .values({ id, startedAt, heartbeatAt: now })
    .onConflictDoUpdate({ target: instances.id, set: { heartbeatAt: now } });
  await deps.db.delete(instances).where(lt(instances.heartbeatAt, now - 10 * INSTANCE_TTL_MS));
}

/** Ids of the control-plane processes alive now. */
export async function liveInstances(deps: Deps): Promise<Set<string>> {
  const rows = await deps.db
    .select({ id: instances.id })
    .from(instances)
    .where(gt(instances.heartbeatAt, deps.now() - INSTANCE_TTL_MS));
  return new Set(rows.map((r) => r.id));
}
