import { count, eq } from "drizzle-orm";
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
    .values({ hash: await sha256Hex(token), createdAt: now, expiresAt: now + SETUP_TTL_MS });
  return token;
}

/**
 * Creates the first admin with a setup secret. The check that no user exists and the insert
 * run in one write transaction, so two visitors racing get one admin and one refusal.
 */
export async function completeSetup(
  deps: Deps,
  input: { token: string; email: string; name: string; password: string },
): Promise<UserRow> {
  const hash = await sha256Hex(input.token);
  const passwordHash = await hashPassword(input.password);
  return deps.db.transaction(async (tx) => {
    const [n] = await tx.select({ n: count() }).from(users);
    if ((n?.n ?? 0) > 0) throw new ApiError("conflict", "Setup is already complete; sign in instead");
    const [tok] = await tx.select().from(setupTokens).where(eq(setupTokens.hash, hash));
    const now = deps.now();
    if (!tok || tok.expiresAt <= now) {
      throw new ApiError(
        "forbidden",
        "This setup link is invalid or has expired; restart Pylon for a new one",
      );
    }
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
    await tx.insert(users).values(row);
    await tx.delete(setupTokens);
    return row;
  });
}
