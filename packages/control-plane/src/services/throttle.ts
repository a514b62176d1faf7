import { inArray, sql } from "drizzle-orm";
import { loginThrottle } from "../db/schema/index.ts";
import type { AppDeps } from "../deps.ts";

type Deps = Pick<AppDeps, "db" | "now">;

const WINDOW_MS = 15 * 60_000;

/**
 * Failed sign-in policy (OWASP Authentication Cheat Sheet: throttle per account and per source).
 * An account locks after 5 failures in 15 minutes, for 1 minute doubling per further failure up
 * to 15 minutes; an IP locks for 15 minutes after 30 failures. Unknown emails count like known
 * ones, so a lockout says nothing about whether an account exists.
 */
const RULES = {
  account: { free: 5, baseMs: 60_000, maxMs: 15 * 60_000 },
  ip: { free: 30, baseMs: 15 * 60_000, maxMs: 15 * 60_000 },
} as const;

export type ThrottleKind = keyof typeof RULES;
export type ThrottleKey = { kind: ThrottleKind; key: string };

/** Keys for one sign-in attempt. */
export function throttleKeys(email: string, ip: string | null): ThrottleKey[] {
  const keys: ThrottleKey[] = [{ kind: "account", key: `account:${email}` }];
  if (ip) keys.push({ kind: "ip", key: `ip:${ip}` });
  return keys;
}

/** Seconds until the attempt may be made, 0 when it may be made now. */
export async function lockedFor(deps: Deps, keys: ThrottleKey[]): Promise<number> {
  const rows = await deps.db
    .select()
    .from(loginThrottle)
    .where(
      inArray(
        loginThrottle.key,
        keys.map((k) => k.key),
      ),
    );
  const until = Math.max(0, ...rows.map((r) => r.lockedUntil));
  return Math.max(0, Math.ceil((until - deps.now()) / 1000));
}

/** Counts a failure atomically (safe across processes) and locks when a rule trips. */
export async function recordFailure(deps: Deps, keys: ThrottleKey[]): Promise<void> {
  const now = deps.now();
  for (const { kind, key } of keys) {
    const rule = RULES[kind];
    const windowStart = now - WINDOW_MS;
    const [row] = await deps.db
      .insert(loginThrottle)
      .values({ key, failures: 1, windowStartedAt: now, lockedUntil: 0 })
      .onConflictDoUpdate({
        target: loginThrottle.key,
        set: {
          failures: sql`case when ${loginThrottle.windowStartedAt} < ${windowStart} then 1 else ${loginThrottle.failures} + 1 end`,
          windowStartedAt: sql`case when ${loginThrottle.windowStartedAt} < ${windowStart} then ${now} else ${loginThrottle.windowStartedAt} end`,
        },
      })
      .returning();
    if (row && row.failures >= rule.free) {
      const lockMs = Math.min(rule.maxMs, rule.baseMs * 2 ** (row.failures - rule.free));
      await deps.db
        .update(loginThrottle)
        .set({ lockedUntil: now + lockMs })
        .where(sql`${loginThrottle.key} = ${key}`);
    }
  }
}

/** Forgets an account's failures after a successful sign-in. */
export async function clearFailures(deps: Deps, keys: ThrottleKey[]): Promise<void> {
  const accountKeys = keys.filter((k) => k.kind === "account").map((k) => k.key);
  if (accountKeys.length) await deps.db.delete(loginThrottle).where(inArray(loginThrottle.key, accountKeys));
}
