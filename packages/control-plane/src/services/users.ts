import type { Role, User } from "@pylon/shared";
import { asc, count, eq, sql } from "drizzle-orm";
import { apiTokens, sessions, type UserRow, users } from "../db/schema/index.ts";
import type { AppDeps } from "../deps.ts";
import { ApiError, notFound } from "../errors.ts";
import { newId } from "../lib/ids.ts";
import { passwordsOf } from "../lib/passwords.ts";
import { iso } from "../lib/time.ts";

type Deps = Pick<AppDeps, "db" | "now" | "passwords">;
type MutDeps = Pick<AppDeps, "db" | "now" | "bus" | "passwords">;

/** The API view of a user row (no password hash). */
export function toUser(row: UserRow): User {
  return {
    id: row.id,
    email: row.email,
    name: row.name,
    role: row.role,
    disabled: row.disabled,
    createdAt: iso(row.createdAt),
    updatedAt: iso(row.updatedAt),
  };
}

/** Every user, oldest first. */
export async function listUsers({ db }: Deps): Promise<UserRow[]> {
  return db.select().from(users).orderBy(asc(users.createdAt));
}

/** One user or a 404. */
export async function getUser({ db }: Deps, id: string): Promise<UserRow> {
  const [row] = await db.select().from(users).where(eq(users.id, id));
  if (!row) throw notFound("User");
  return row;
}

/** How many accounts exist (0 means first-run setup is open). */
export async function countUsers({ db }: Deps): Promise<number> {
  const [row] = await db.select({ n: count() }).from(users);
  return row?.n ?? 0;
}

interface NewUser {
  email: string;
  name: string;
  role: Role;
  password: string;
}

/** Creates a user; 409 when the email is taken. */
export async function createUser(deps: Deps, input: NewUser): Promise<UserRow> {
  const now = deps.now();
  const row: UserRow = {
    id: newId("usr"),
    email: input.email,
    name: input.name,
    role: input.role,
    passwordHash: await passwordsOf(deps).hash(input.password),
    disabled: false,
    createdAt: now,
    updatedAt: now,
  };
  const inserted = await deps.db.insert(users).values(row).onConflictDoNothing().returning({ id: users.id });
  if (inserted.length === 0) throw new ApiError("conflict", "A user with this email already exists");
  return row;
}

/**
 * The condition under which changing or removing user `id` keeps at least one active admin: the
 * user is not an active admin now, or stays one, or another active admin exists. It is part of the
 * one statement that makes the change, so two concurrent demotions, disablings or deletions of the
 * last two admins cannot both pass (each statement sees the other's committed result).
 */
function keepsAnAdmin(id: string, after?: { role?: Role; disabled?: boolean }) {
  const staysAdmin = after
    ? sql`(coalesce(${after.role ?? null}, ${users.role}) = 'admin' and coalesce(${after.disabled ?? null}, ${users.disabled}) = 0)`
    : sql`0`;
  return sql`${users.id} = ${id} and (
    not (${users.role} = 'admin' and ${users.disabled} = 0)
    or ${staysAdmin}
    or exists (select 1 from ${users} o where o.role = 'admin' and o.disabled = 0 and o.id <> ${id}))`;
}

const lastAdmin = () => new ApiError("conflict", "This is the last active admin; make another admin first");

interface UserChanges {
  name?: string;
  role?: Role;
  disabled?: boolean;
  password?: string;
}

/** Updates a user. Disabling or a new password ends their sessions; the last admin stays an admin. */
export async function updateUser(deps: MutDeps, id: string, changes: UserChanges): Promise<UserRow> {
  const set: Partial<UserRow> = { updatedAt: deps.now() };
  if (changes.name !== undefined) set.name = changes.name;
  if (changes.role !== undefined) set.role = changes.role;
  if (changes.disabled !== undefined) set.disabled = changes.disabled;
  if (changes.password !== undefined) set.passwordHash = await passwordsOf(deps).hash(changes.password);
  const [updated] = await deps.db
    .update(users)
    .set(set)
    .where(keepsAnAdmin(id, { role: changes.role, disabled: changes.disabled }))
    .returning();
  if (!updated) {
    await getUser(deps, id);
    throw lastAdmin();
  }
  if (changes.disabled || changes.password !== undefined) {
    await deps.db.delete(sessions).where(eq(sessions.userId, id));
  }
  await deps.bus.publish({ topic: "auth.changed", nodeId: null, jobId: null });
  return updated;
}

/** Deletes a user with their sessions and tokens; never the last admin. */
export async function deleteUser(deps: MutDeps, id: string): Promise<UserRow> {
  const current = await getUser(deps, id);
  // The user goes first, conditionally; sessions and tokens follow only if it went.
  const [gone] = await deps.db.batch([
    deps.db.delete(users).where(keepsAnAdmin(id)).returning(),
    deps.db
      .delete(sessions)
      .where(sql`${sessions.userId} = ${id} and not exists (select 1 from ${users} where id = ${id})`),
    deps.db
      .delete(apiTokens)
      .where(sql`${apiTokens.userId} = ${id} and not exists (select 1 from ${users} where id = ${id})`),
  ]);
  if (gone.length === 0) {
    await getUser(deps, id);
    throw lastAdmin();
  }
  await deps.bus.publish({ topic: "auth.changed", nodeId: null, jobId: null });
  return current;
}
