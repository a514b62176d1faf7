import { type ApiToken, MAX_SCOPE_FOR_ROLE, type Role, SCOPES, type Scope, scopesAllow } from "@pylon/shared";
import { and, desc, eq, sql } from "drizzle-orm";
import { prepared } from "../db/prepared.ts";
import { type ApiTokenRow, apiTokens, type UserRow, users } from "../db/schema/index.ts";
import type { AppDeps } from "../deps.ts";
import { ApiError, notFound } from "../errors.ts";
import { randomSecret, sha256Hex } from "../lib/crypto.ts";
import { newId } from "../lib/ids.ts";
import { iso, isoOrNull } from "../lib/time.ts";
import { AUTH_CACHE_MS, tokenCache } from "./auth-cache.ts";
import type { Principal } from "./principal.ts";

type Deps = Pick<AppDeps, "db" | "now" | "bus">;

export const TOKEN_PREFIX = "pyl_";
const TOUCH_EVERY_MS = 60_000;

/** The API view of a token (never the secret or its hash). */
export function toToken(row: ApiTokenRow): ApiToken {
  return {
    id: row.id,
    name: row.name,
    prefix: row.prefix,
    scopes: row.scopes,
    userId: row.userId,
    createdAt: iso(row.createdAt),
    expiresAt: isoOrNull(row.expiresAt),
    lastUsedAt: isoOrNull(row.lastUsedAt),
  };
}

/** The scopes a token of a user with `role` may actually use (a demoted creator demotes the token). */
export function effectiveScopes(scopes: readonly Scope[], role: Role): Scope[] {
  const max = MAX_SCOPE_FOR_ROLE[role];
  const capped = scopes.map((s) => (SCOPES.indexOf(s) > SCOPES.indexOf(max) ? max : s));
  return [...new Set(capped)];
}

/** Creates a token for the caller; it never carries more than the caller holds. */
export async function createToken(
  deps: Deps,
  caller: Principal,
  input: { name: string; scopes: Scope[]; expiresInDays?: number },
): Promise<{ row: ApiTokenRow; secret: string }> {
  const scopes = [...new Set(input.scopes)];
  const maxIndex = SCOPES.indexOf(MAX_SCOPE_FOR_ROLE[caller.user.role]);
  const allowed = SCOPES.filter((s) => SCOPES.indexOf(s) <= maxIndex);
  const held = caller.kind === "token" ? caller.scopes : allowed;
  const tooStrong = scopes.filter((s) => !allowed.includes(s) || !scopesAllow(held, s));
  if (tooStrong.length > 0) {
    throw new ApiError("forbidden", `You cannot grant the scope(s): ${tooStrong.join(", ")}`, {
      fields: [{ path: "scopes", message: `exceeds what you hold: ${tooStrong.join(", ")}` }],
    });
  }
  const now = deps.now();
  const secret = `${TOKEN_PREFIX}${randomSecret(32)}`;
  const row: ApiTokenRow = {
    id: newId("tok"),
    userId: caller.user.id,
    name: input.name,
    prefix: secret.slice(0, TOKEN_PREFIX.length + 6),
    secretHash: sha256Hex(secret),
    scopes,
    createdAt: now,
    expiresAt: input.expiresInDays ? now + input.expiresInDays * 86_400_000 : null,
    lastUsedAt: null,
  };
  await deps.db.insert(apiTokens).values(row);
  return { row, secret };
}

/** The caller's tokens, or every token for an admin asking for all. */
export async function listTokens(deps: Deps, userId: string | null): Promise<ApiTokenRow[]> {
  if (!userId) return deps.db.select().from(apiTokens).orderBy(desc(apiTokens.createdAt));
  return prepared(deps.db, "tokensOfUser", (db) =>
    db
      .select()
      .from(apiTokens)
      .where(eq(apiTokens.userId, sql.placeholder("userId")))
      .orderBy(desc(apiTokens.createdAt))
      .prepare(),
  ).execute({ userId });
}

/** Revokes a token the caller owns (admins may revoke any). */
export async function revokeToken(deps: Deps, caller: Principal, id: string): Promise<ApiTokenRow> {
  const where =
    caller.user.role === "admin"
      ? eq(apiTokens.id, id)
      : and(eq(apiTokens.id, id), eq(apiTokens.userId, caller.user.id));
  const [row] = await deps.db.delete(apiTokens).where(where).returning();
  if (!row) throw notFound("Token");
  await deps.bus.publish({ topic: "auth.changed", nodeId: null, jobId: null });
  return row;
}

/** Finds the live token behind a bearer secret, with its user; null when unknown, expired or disabled. */
export async function resolveToken(
  deps: Deps,
  secret: string,
): Promise<{ token: ApiTokenRow; user: UserRow } | null> {
  if (!secret.startsWith(TOKEN_PREFIX) || secret.length > 200) return null;
  const hash = sha256Hex(secret);
  const now = deps.now();
  const cache = tokenCache(deps.db);
  const hit = cache.get(hash);
  if (hit && now - hit.at < AUTH_CACHE_MS) {
    if (hit.token.expiresAt !== null && now >= hit.token.expiresAt) return null;
    if (hit.token.lastUsedAt === null || now - hit.token.lastUsedAt >= TOUCH_EVERY_MS)
      await touch(deps, hit.token, now);
    return hit;
  }
  cache.delete(hash);
  const [row] = await prepared(deps.db, "tokenBySecret", (db) =>
    db
      .select({ token: apiTokens, user: users })
      .from(apiTokens)
      .innerJoin(users, eq(users.id, apiTokens.userId))
      .where(eq(apiTokens.secretHash, sql.placeholder("hash")))
      .prepare(),
  ).execute({ hash });
  if (!row || row.user.disabled || (row.token.expiresAt !== null && now >= row.token.expiresAt)) return null;
  if (row.token.lastUsedAt === null || now - row.token.lastUsedAt >= TOUCH_EVERY_MS)
    await touch(deps, row.token, now);
  if (cache.size > 10_000) cache.clear();
  cache.set(hash, { ...row, at: now });
  return row;
}

/**
 * A token and its user while the token is live (not revoked or expired, user not disabled), read
 * from the database (not the cache) without counting as use: for live views checking their caller.
 */
export async function tokenHolder(
  deps: Pick<AppDeps, "db" | "now">,
  tokenId: string,
): Promise<{ token: ApiTokenRow; user: UserRow } | null> {
  const [row] = await deps.db
    .select({ token: apiTokens, user: users })
    .from(apiTokens)
    .innerJoin(users, eq(users.id, apiTokens.userId))
    .where(eq(apiTokens.id, tokenId));
  if (!row || row.user.disabled) return null;
  if (row.token.expiresAt !== null && deps.now() >= row.token.expiresAt) return null;
  return row;
}

async function touch(deps: Deps, token: ApiTokenRow, now: number): Promise<void> {
  token.lastUsedAt = now;
  await deps.db.update(apiTokens).set({ lastUsedAt: now }).where(eq(apiTokens.id, token.id));
}
