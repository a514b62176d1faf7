import type { Db } from "../db/client.ts";
import type { ApiTokenRow, UserRow } from "../db/schema/index.ts";

/**
 * Recently resolved API tokens, so a busy automation client costs no database read per request.
 * Entries live at most AUTH_CACHE_MS; any change to tokens or users publishes `auth.changed`,
 * which clears the cache in this process at once and in the others within one change-feed poll.
 */
export const AUTH_CACHE_MS = 2000;

export interface CachedToken {
  token: ApiTokenRow;
  user: UserRow;
  at: number;
}

const caches = new WeakMap<Db, Map<string, CachedToken>>();

/** The token cache of one database handle. */
export function tokenCache(db: Db): Map<string, CachedToken> {
  let c = caches.get(db);
  if (!c) {
    c = new Map();
    caches.set(db, c);
  }
  return c;
}

/** Forgets every cached token (after any change to tokens or users). */
export function clearAuthCache(db: Db): void {
  caches.get(db)?.clear();
}
