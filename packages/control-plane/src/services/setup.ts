import { and, count, eq, gt, sql } from "drizzle-orm";
import { setupTokens, type UserRow, users } from "../db/schema/index.ts";
import type { AppDeps } from "../deps.ts";
import { ApiError } from "../errors.ts";
import { randomSecret, sha256Hex } from "../lib/crypto.ts";
import { newId } from "../lib/ids.ts";
import { passwordsOf } from "../lib/passwords.ts";
import { lockedFor, recordFailure, setupThrottleKeys, tooManyAttempts } from "./throttle.ts";

type Deps = Pick<AppDeps, "db" | "now" | "passwords">;

const SETUP_TTL_MS = 60 * 60_000;

/** True until the first account exists. */
export async function setupNeeded({ db }: Deps): Promise<boolean> {
  const [row] = await db.select({ n: count() }).from(users);
  return (row?.n ?? 0) === 0;
}

/** Issues a one-time setup secret (valid one hour, consumed by the first admin). */
export async function issueSetupToken(deps: Deps): Promise<string> {
  const token = randomSecret(24);
  const now = deps.now();
  await deps.db
    .insert(setupTokens)
    .values({ hash: sha256Hex(token), createdAt: now, expiresAt: now + SETUP_TTL_MS });
  return token;
}

/**
 * Creates the first admin with a setup secret. Everything cheap is checked before the password is
 * hashed (Argon2 holds 19 MiB): the caller's IP is not locked out, setup is still open, the secret
 * is live. Wrong secrets count against the IP. One conditional insert then checks again that no
 * user exists and that the secret is live, so two visitors racing get one admin and one refusal.
 */
export async function completeSetup(
  deps: Deps,
  input: { token: string; email: string; name: string; password: string },
  ip: string | null,
): Promise<UserRow> {
  const hash = sha256Hex(input.token);
  const keys = setupThrottleKeys(ip);
  const wait = await lockedFor(deps, keys);
  if (wait > 0) throw tooManyAttempts(wait, "wrong setup links");
  if (!(await setupNeeded(deps))) throw alreadyDone();
  const [live] = await deps.db
    .select({ hash: setupTokens.hash })
    .from(setupTokens)
    .where(and(eq(setupTokens.hash, hash), gt(setupTokens.expiresAt, deps.now())));
  if (!live) {
    await recordFailure(deps, keys);
    throw badLink();
  }
  const passwordHash = await passwordsOf(deps).hash(input.password);
  const now = deps.now();
  const row: UserRow = {
    id: newId("usr"),
    email: input.email,
    name: input.name,
    role: "admin",
    passwordHash,
    disabled: false,
    createdAt: now,
    updatedAt: now,
  };
  const [inserted] = await deps.db.batch([
    deps.db.run(sql`insert into ${users} (id, email, name, role, password_hash, disabled, created_at, updated_at)
      select ${row.id}, ${row.email}, ${row.name}, 'admin', ${row.passwordHash}, 0, ${now}, ${now}
      where not exists (select 1 from ${users})
        and exists (select 1 from ${setupTokens} where hash = ${hash} and expires_at > ${now})`),
    deps.db.run(sql`delete from ${setupTokens} where exists (select 1 from ${users} where id = ${row.id})`),
  ]);
  if (inserted.rowsAffected === 1) return row;
  if (!(await setupNeeded(deps))) throw alreadyDone();
  throw badLink();
}

const alreadyDone = () => new ApiError("conflict", "Setup is already complete; sign in instead");
const badLink = () =>
  new ApiError("forbidden", "This setup link is invalid or has expired; restart Pylon for a new one");
