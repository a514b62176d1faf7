import { eq, sql } from "drizzle-orm";
import { prepared } from "../db/prepared.ts";
import { sessions, type UserRow, users } from "../db/schema/index.ts";
import { type AppDeps, DEFAULT_SESSIONS } from "../deps.ts";
import { hmacHex, randomSecret, sha256Hex } from "../lib/crypto.ts";

type Deps = Pick<AppDeps, "db" | "now" | "secretKey" | "sessions">;

// Writing last_seen_at on every request would turn reads into writes; a minute is precise enough
// for an idle timeout measured in hours.
const TOUCH_EVERY_MS = 60_000;

/** A session as handed to the browser: the cookie value is known only to it. */
export interface NewSession {
  cookieValue: string;
  csrfToken: string;
  expiresAt: number;
}

function policy(deps: Deps) {
  return { ...DEFAULT_SESSIONS, ...deps.sessions };
}

/** The CSRF token bound to a session cookie (derived, so nothing extra is stored). */
export function csrfTokenFor(deps: Pick<AppDeps, "secretKey">, cookieValue: string): string {
  return hmacHex(deps.secretKey, `csrf:${cookieValue}`);
}

/** Starts a session for a user. */
export async function createSession(
  deps: Deps,
  userId: string,
  meta: { ip: string | null; userAgent: string | null },
): Promise<NewSession> {
  const now = deps.now();
  const cookieValue = randomSecret(32);
  const expiresAt = now + policy(deps).absoluteMs;
  await deps.db.insert(sessions).values({
    idHash: sha256Hex(cookieValue),
    userId,
    createdAt: now,
    lastSeenAt: now,
    expiresAt,
    ip: meta.ip,
    userAgent: meta.userAgent?.slice(0, 300) ?? null,
  });
  return { cookieValue, csrfToken: csrfTokenFor(deps, cookieValue), expiresAt };
}

export type SessionLookup =
  | { state: "valid"; user: UserRow; idHash: string }
  | { state: "expired" }
  | { state: "unknown" };

/** Finds the session behind a cookie, enforcing idle and absolute expiry and disabled users. */
export async function resolveSession(deps: Deps, cookieValue: string): Promise<SessionLookup> {
  const idHash = sha256Hex(cookieValue);
  const [row] = await prepared(deps.db, "sessionById", (db) =>
    db
      .select({ session: sessions, user: users })
      .from(sessions)
      .innerJoin(users, eq(users.id, sessions.userId))
      .where(eq(sessions.idHash, sql.placeholder("idHash")))
      .prepare(),
  ).execute({ idHash });
  if (!row || row.user.disabled) return { state: "unknown" };
  const now = deps.now();
  if (now >= row.session.expiresAt || now - row.session.lastSeenAt >= policy(deps).idleMs) {
    await deps.db.delete(sessions).where(eq(sessions.idHash, idHash));
    return { state: "expired" };
  }
  if (now - row.session.lastSeenAt >= TOUCH_EVERY_MS) {
    await deps.db.update(sessions).set({ lastSeenAt: now }).where(eq(sessions.idHash, idHash));
  }
  return { state: "valid", user: row.user, idHash };
}

/**
 * The user behind a session while it is valid (not expired, user not disabled), read without
 * counting as use: for live views checking that their caller is still signed in.
 */
export async function sessionUser(deps: Deps, idHash: string): Promise<UserRow | null> {
  const [row] = await deps.db
    .select({ session: sessions, user: users })
    .from(sessions)
    .innerJoin(users, eq(users.id, sessions.userId))
    .where(eq(sessions.idHash, idHash));
  const now = deps.now();
  if (!row || row.user.disabled) return null;
  if (now >= row.session.expiresAt || now - row.session.lastSeenAt >= policy(deps).idleMs) return null;
  return row.user;
}

/**
 * Ends one session; true when there was one. Open live views (SSE) of that session end too: the
 * change feed's `auth.changed` makes them check their caller again.
 */
export async function revokeSession(deps: Pick<AppDeps, "db" | "bus">, idHash: string): Promise<boolean> {
  const gone = await deps.db
    .delete(sessions)
    .where(eq(sessions.idHash, idHash))
    .returning({ idHash: sessions.idHash });
  if (gone.length) await deps.bus.publish({ topic: "auth.changed", nodeId: null, jobId: null });
  return gone.length > 0;
}

/** Ends every session of a user (and their open live views). */
export async function revokeUserSessions(deps: Pick<AppDeps, "db" | "bus">, userId: string): Promise<void> {
  await deps.db.delete(sessions).where(eq(sessions.userId, userId));
  await deps.bus.publish({ topic: "auth.changed", nodeId: null, jobId: null });
}
