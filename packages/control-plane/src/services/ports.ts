import { and, eq, sql } from "drizzle-orm";
import { ports } from "../db/schema/index.ts";
import type { AppDeps } from "../deps.ts";
import { ApiError } from "../errors.ts";

type Deps = Pick<AppDeps, "db">;

export const PORT_RANGE = { from: 20_000, to: 29_999 } as const;

/**
 * Takes the lowest free port of a node in one INSERT … SELECT: the primary key (node, port) makes
 * a second taker of the same port fail instead of sharing it, and no lock is held between
 * reading and writing, so concurrent deploys cannot deadlock. Retries a few times on a collision.
 */
export async function allocatePort(deps: Deps, nodeId: string, appId: string, name: string): Promise<number> {
  for (let attempt = 0; attempt < 20; attempt++) {
    try {
      const [row] = await deps.db
        .insert(ports)
        .select(
          deps.db
            .select({
              nodeId: sql<string>`${nodeId}`.as("node_id"),
              port: sql<number>`coalesce(
                (select ${PORT_RANGE.from} where not exists (select 1 from ${ports} where node_id = ${nodeId} and port = ${PORT_RANGE.from})),
                (select min(p.port) + 1 from ${ports} p where p.node_id = ${nodeId} and p.port >= ${PORT_RANGE.from} and p.port < ${PORT_RANGE.to}
                   and not exists (select 1 from ${ports} q where q.node_id = ${nodeId} and q.port = p.port + 1))
              )`.as("port"),
              appId: sql<string>`${appId}`.as("app_id"),
              name: sql<string>`${name}`.as("name"),
            })
            .from(sql`(select 1)`),
        )
        .returning();
      if (row?.port) return row.port;
    } catch (err) {
      if (/NOT NULL/i.test(String(err))) break;
      if (!/UNIQUE|PRIMARY KEY|constraint/i.test(String(err))) throw err;
    }
  }
  throw new ApiError("conflict", `No free port left on this node (${PORT_RANGE.from}-${PORT_RANGE.to})`);
}

/** Ports an app holds, by name. */
export async function portsOf(deps: Deps, appId: string): Promise<{ name: string; port: number }[]> {
  return deps.db
    .select({ name: ports.name, port: ports.port })
    .from(ports)
    .where(eq(ports.appId, appId))
    .orderBy(ports.port);
}

/** Every app's ports, by app id (one query). */
export async function portsOfAllApps(deps: Deps): Promise<Map<string, { name: string; port: number }[]>> {
  const rows = await deps.db
    .select({ appId: ports.appId, name: ports.name, port: ports.port })
    .from(ports)
    .orderBy(ports.port);
  const byApp = new Map<string, { name: string; port: number }[]>();
  for (const r of rows) {
    const list = byApp.get(r.appId) ?? [];
    list.push({ name: r.name, port: r.port });
    byApp.set(r.appId, list);
  }
  return byApp;
}

/** Frees every port of an app. */
export async function freePorts(deps: Deps, nodeId: string, appId: string): Promise<void> {
  await deps.db.delete(ports).where(and(eq(ports.nodeId, nodeId), eq(ports.appId, appId)));
}
