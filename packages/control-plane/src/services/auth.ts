import { eq } from "drizzle-orm";
import { type UserRow, users } from "../db/schema/index.ts";
import type { AppDeps } from "../deps.ts";
import { ApiError } from "../errors.ts";
import { passwordsOf } from "../lib/passwords.ts";
import { createSession, type NewSession, revokeUserSessions } from "./sessions.ts";
import {
  attemptNotEvaluated,
  attemptSucceeded,
  beginAttempt,
  type ThrottleKey,
  throttleKeys,
} from "./throttle.ts";

type Deps = Pick<AppDeps, "db" | "now" | "secretKey" | "sessions" | "passwords" | "bus">;
type Meta = { ip: string | null; userAgent: string | null };

const BAD_LOGIN = "Invalid email or password";

/**
 * Runs a password check as one throttled attempt: counted before it runs (a locked account or IP
 * is refused with 429 before any hashing), uncounted when it never ran (the hash queue was full).
 */
async function throttledCheck(
  deps: Deps,
  keys: ThrottleKey[],
  check: () => Promise<boolean>,
): Promise<boolean> {
  await beginAttempt(deps, keys);
  try {
    return await check();
  } catch (err) {
    await attemptNotEvaluated(deps, keys);
    throw err;
  }
}

/**
 * Signs a user in. The same message for unknown emails, wrong passwords and disabled accounts,
 * and the same time spent (an unknown email waits as long as a real check, in the same queue,
 * without computing one), so the answer never says whether an account exists.
 */
export async function login(
  deps: Deps,
  input: { email: string; password: string },
  meta: Meta,
): Promise<{ user: UserRow; session: NewSession }> {
  const keys = throttleKeys(input.email, meta.ip);
  const passwords = passwordsOf(deps);
  let user: UserRow | undefined;
  const ok = await throttledCheck(deps, keys, async () => {
    [user] = await deps.db.select().from(users).where(eq(users.email, input.email));
    return user
      ? passwords.verify(input.password, user.passwordHash)
      : passwords.verifyNobody(input.password);
  });
  if (!user || !ok || user.disabled) throw new ApiError("unauthenticated", BAD_LOGIN);
  await attemptSucceeded(deps, keys);
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
  const passwords = passwordsOf(deps);
  if (!(await throttledCheck(deps, keys, () => passwords.verify(input.currentPassword, user.passwordHash)))) {
    throw new ApiError("validation_failed", "The current password is wrong", {
      fields: [{ path: "currentPassword", message: "is wrong" }],
    });
  }
  await attemptSucceeded(deps, keys);
  await deps.db
    .update(users)
    .set({ passwordHash: await passwords.hash(input.newPassword), updatedAt: deps.now() })
    .where(eq(users.id, user.id));
  await revokeUserSessions(deps, user.id);
  return createSession(deps, user.id, meta);
}
