import { count, sql } from "drizzle-orm";
import { setupTokens, type UserRow, users } from "../db/schema/index.ts";
import type { AppDeps } from "../deps.ts";
import { ApiError } from "../errors.ts";
import { randomSecret, sha256Hex } from "../lib/crypto.ts";
import { newId } from "../lib/ids.ts";
import { hashPassword } from "../lib/passwords.ts";

type Deps = Pick<AppDeps, "db" | "now">;

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
 * Creates the first admin with a setup secret. One conditional insert checks that no user exists
 * and that the secret is live, so two visitors racing get one admin and one refusal.
 */
export async function completeSetup(
  deps: Deps,
  input: { token: string; email: string; name: string; password: string },
): Promise<UserRow> {
  const hash = sha256Hex(input.token);
  const now = deps.now();
  const row: UserRow = {
    id: newId("usr"),
    email: input.email,
    name: input.name,
    role: "admin",
    passwordHash: await hashPassword(input.password),
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
  if (!(await setupNeeded(deps)))
    throw new ApiError("conflict", "Setup is already complete; sign in instead");
  throw new ApiError("forbidden", "This setup link is invalid or has expired; restart Pylon for a new one");
}
