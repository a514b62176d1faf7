import { eq, inArray, lte, sql } from "drizzle-orm";
import { loginThrottle } from "../db/schema/index.ts";
import type { AppDeps } from "../deps.ts";
import { ApiError } from "../errors.ts";

type Deps = Pick<AppDeps, "db" | "now">;

/** Failures count within this window; a row idle for longer (and unlocked) is deleted by retention. */
export const THROTTLE_WINDOW_MS = 15 * 60_000;

/**
 * Failed sign-in policy (OWASP Authentication Cheat Sheet: throttle per account and per source).
 * An account locks after 5 failures in 15 minutes, for 1 minute doubling per further failure up
 * to 15 minutes; an IP locks for 15 minutes after 30 failures. Unknown emails count like known
 * ones, so a lockout says nothing about whether an account exists. Wrong setup secrets lock the
 * IP after 10.
 */
const RULES = {
  account: { free: 5, baseMs: 60_000, maxMs: 15 * 60_000 },
  ip: { free: 30, baseMs: 15 * 60_000, maxMs: 15 * 60_000 },
  setup: { free: 10, baseMs: 60_000, maxMs: 15 * 60_000 },
} as const;

export type ThrottleKind = keyof typeof RULES;
export type ThrottleKey = { kind: ThrottleKind; key: string };

/** Keys for one sign-in attempt. */
export function throttleKeys(email: string, ip: string | null): ThrottleKey[] {
  const keys: ThrottleKey[] = [{ kind: "account", key: `account:${email}` }];
  if (ip) keys.push({ kind: "ip", key: `ip:${ip}` });
  return keys;
}

/** Keys for one setup attempt. */
export function setupThrottleKeys(ip: string | null): ThrottleKey[] {
  return ip ? [{ kind: "setup", key: `setup:${ip}` }] : [];
}

/** The 429 every throttled attempt gets. */
export function tooManyAttempts(seconds: number, what = "failed sign-in attempts"): ApiError {
  return new ApiError(
    "too_many_requests",
    `Too many ${what}; try again in ${seconds} seconds`,
    { retryAfterSeconds: seconds },
    { "Retry-After": String(seconds) },
  );
}

/**
 * One statement that counts an attempt for a key and, when the count reaches the rule's limit,
 * locks the key right away (1 << n grows the lock per further failure). With `unlockedOnly` it
 * counts nothing on a locked key and returns no row.
 */
function countOne(deps: Deps, { kind, key }: ThrottleKey, now: number, unlockedOnly: boolean) {
  const rule = RULES[kind];
  const fresh = sql`${loginThrottle.windowStartedAt} < ${now - THROTTLE_WINDOW_MS}`;
  const n = sql`(case when ${fresh} then 1 else ${loginThrottle.failures} + 1 end)`;
  const lock = (count: SQLish) =>
    sql`(case when ${count} >= ${rule.free} then ${now} + min(${rule.maxMs}, ${rule.baseMs} << min(${count} - ${rule.free}, 20)) else 0 end)`;
  return deps.db
    .insert(loginThrottle)
    .values({ key, failures: 1, windowStartedAt: now, lockedUntil: 1 >= rule.free ? now + rule.baseMs : 0 })
    .onConflictDoUpdate({
      target: loginThrottle.key,
      set: {
        failures: n,
        windowStartedAt: sql`case when ${fresh} then ${now} else ${loginThrottle.windowStartedAt} end`,
        lockedUntil: lock(n),
      },
      ...(unlockedOnly ? { setWhere: lte(loginThrottle.lockedUntil, now) } : {}),
    })
    .returning({ failures: loginThrottle.failures });
}
type SQLish = ReturnType<typeof sql>;

/** Seconds until the attempt may be made, 0 when it may be made now. */
export async function lockedFor(deps: Deps, keys: ThrottleKey[]): Promise<number> {
  if (keys.length === 0) return 0;
  const rows = await deps.db
    .select({ lockedUntil: loginThrottle.lockedUntil })
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

/**
 * Counts an attempt before it is evaluated, so concurrent attempts cannot all slip under the limit
 * (issue 10: 40 concurrent wrong passwords were all evaluated when the counter was read before and
 * written after). Each key is counted by one atomic statement; the attempt that reaches a limit
 * locks the key at once, and every later one is refused with 429 without being evaluated. Call
 * {@link attemptSucceeded} or {@link attemptNotEvaluated} afterwards; a failure needs nothing more.
 */
export async function beginAttempt(deps: Deps, keys: ThrottleKey[], what?: string): Promise<void> {
  const now = deps.now();
  const counted: ThrottleKey[] = [];
  for (const k of keys) {
    const [row] = await countOne(deps, k, now, true);
    if (row) {
      counted.push(k);
      continue;
    }
    await uncount(deps, counted);
    throw tooManyAttempts(Math.max(1, await lockedFor(deps, [k])), what);
  }
}

/** Counts a failure after the fact (for checks cheap enough to run before counting). */
export async function recordFailure(deps: Deps, keys: ThrottleKey[]): Promise<void> {
  const now = deps.now();
  for (const k of keys) await countOne(deps, k, now, false);
}

async function uncount(deps: Deps, keys: ThrottleKey[]): Promise<void> {
  for (const { kind, key } of keys) {
    await deps.db
      .update(loginThrottle)
      .set({
        failures: sql`max(${loginThrottle.failures} - 1, 0)`,
        lockedUntil: sql`case when ${loginThrottle.failures} - 1 < ${RULES[kind].free} then 0 else ${loginThrottle.lockedUntil} end`,
      })
      .where(eq(loginThrottle.key, key));
  }
}

/** The attempt was never evaluated (e.g. the password queue was full): it does not count. */
export function attemptNotEvaluated(deps: Deps, keys: ThrottleKey[]): Promise<void> {
  return uncount(deps, keys);
}

/** The attempt succeeded: the account's failures are forgotten and it does not count for the IP. */
export async function attemptSucceeded(deps: Deps, keys: ThrottleKey[]): Promise<void> {
  const accountKeys = keys.filter((k) => k.kind === "account").map((k) => k.key);
  if (accountKeys.length) await deps.db.delete(loginThrottle).where(inArray(loginThrottle.key, accountKeys));
  await uncount(
    deps,
    keys.filter((k) => k.kind !== "account"),
  );
}
