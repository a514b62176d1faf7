import type { Db } from "./client.ts";

const caches = new WeakMap<Db, Map<string, unknown>>();

/**
 * A prepared query built once per database handle. Building a drizzle query costs more CPU than
 * running it on an embedded file, so the queries on every request's path are prepared.
 */
export function prepared<T>(db: Db, key: string, build: (db: Db) => T): T {
  let cache = caches.get(db);
  if (!cache) {
    cache = new Map();
    caches.set(db, cache);
  }
  let q = cache.get(key) as T | undefined;
  if (q === undefined) {
    q = build(db);
    cache.set(key, q);
  }
  return q;
}
