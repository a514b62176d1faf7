import { eq } from "drizzle-orm";
import { type UserRow, users } from "../db/schema/index.ts";
import type { AppDeps } from "../deps.ts";
import { ApiError } from "../errors.ts";
import { burnPasswordCheck, hashPassword, verifyPassword } from "../lib/passwords.ts";
import { createSession, type NewSession, revokeUserSessions } from "./sessions.ts";
import { clearFailures, lockedFor, recordFailure, throttleKeys } from "./throttle.ts";

type Deps = Pick<AppDeps, "db" | "now" | "secretKey" | "sessions">;
type Meta = { ip: string | null; userAgent: string | null };

const BAD_LOGIN = "Invalid email or password";

function tooMany(seconds: number): ApiError {
  return new ApiError(
    "too_many_requests",
    `Too many failed sign-in attempts; try again in ${seconds} seconds`,
    { retryAfterSeconds: seconds },
    { "Retry-After": String(seconds) },
  );
}

/**
 * Signs a user in. The same message for unknown emails, wrong passwords and disabled accounts,
 * and the same time spent, so the answer never says whether an account exists.
 */
export async function login(
  deps: Deps,
  input: { email: string; password: string },
  meta: Meta,
): Promise<{ user: UserRow; session: NewSession }> {
  const keys = throttleKeys(input.email, meta.ip);
  const wait = await lockedFor(deps, keys);
  if (wait > 0) throw tooMany(wait);
  const [user] = await deps.db.select().from(users).where(eq(users.email, input.email));
  let ok = false;
  if (user) ok = await verifyPassword(input.password, user.passwordHash);
  else await burnPasswordCheck(input.password);
  if (!user || !ok || user.disabled) {
    await recordFailure(deps, keys);
    throw new ApiError("unauthenticated", BAD_LOGIN);
  }
  await clearFailures(deps, keys);
  return { user, session: await createSession(deps, user.id, meta) };
}

/** Changes the caller's own password, ends all their sessions and starts a fresh one. */
export async function changeOwnPassword(
  deps: Deps,
  user: UserRow,
  input: { currentPassword: string; newPassword: string },
  meta: Meta,
): Promise<NewSession> {
  const keys = throttleKeys(user.email, meta.ip);
  const wait = await lockedFor(deps, keys);
  if (wait > 0) throw tooMany(wait);
  if (!(await verifyPassword(input.currentPassword, user.passwordHash))) {
    await recordFailure(deps, keys);
    throw new ApiError("validation_failed", "The current password is wrong", {
      fields: [{ path: "currentPassword", message: "is wrong" }],
    });
  }
  await deps.db
    .update(users)
    .set({ passwordHash: await hashPassword(input.newPassword), updatedAt: deps.now() })
    .where(eq(users.id, user.id));
  await revokeUserSessions(deps, user.id);
  return createSession(deps, user.id, meta);
}
