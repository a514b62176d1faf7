import type { Role, User } from "@pylon/shared";
import { and, asc, count, eq, ne } from "drizzle-orm";
import { apiTokens, sessions, type UserRow, users } from "../db/schema/index.ts";
import type { AppDeps } from "../deps.ts";
import { ApiError, notFound } from "../errors.ts";
import { newId } from "../lib/ids.ts";
import { hashPassword } from "../lib/passwords.ts";
import { iso } from "../lib/time.ts";

type Deps = Pick<AppDeps, "db" | "now">;
type MutDeps = Pick<AppDeps, "db" | "now" | "bus">;

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
    passwordHash: await hashPassword(input.password),
    disabled: false,
    createdAt: now,
    updatedAt: now,
  };
  const inserted = await deps.db.insert(users).values(row).onConflictDoNothing().returning({ id: users.id });
  if (inserted.length === 0) throw new ApiError("conflict", "A user with this email already exists");
  return row;
}

async function otherActiveAdmins({ db }: Deps, id: string): Promise<number> {
  const [row] = await db
    .select({ n: count() })
    .from(users)
    .where(and(eq(users.role, "admin"), eq(users.disabled, false), ne(users.id, id)));
  return row?.n ?? 0;
}

interface UserChanges {
  name?: string;
  role?: Role;
  disabled?: boolean;
  password?: string;
}

/** Updates a user. Disabling or a new password ends their sessions; the last admin stays an admin. */
export async function updateUser(deps: MutDeps, id: string, changes: UserChanges): Promise<UserRow> {
  const current = await getUser(deps, id);
  const losesAdmin =
    current.role === "admin" &&
    !current.disabled &&
    ((changes.role && changes.role !== "admin") || changes.disabled);
  if (losesAdmin && (await otherActiveAdmins(deps, id)) === 0) {
    throw new ApiError("conflict", "This is the last active admin; make another admin first");
  }
  const set: Partial<UserRow> = { updatedAt: deps.now() };
  if (changes.name !== undefined) set.name = changes.name;
  if (changes.role !== undefined) set.role = changes.role;
  if (changes.disabled !== undefined) set.disabled = changes.disabled;
  if (changes.password !== undefined) set.passwordHash = await hashPassword(changes.password);
  await deps.db.update(users).set(set).where(eq(users.id, id));
  if (changes.disabled || changes.password !== undefined) {
    await deps.db.delete(sessions).where(eq(sessions.userId, id));
  }
  await deps.bus.publish({ topic: "auth.changed", nodeId: null, jobId: null });
  return getUser(deps, id);
}

/** Deletes a user with their sessions and tokens; never the last admin. */
export async function deleteUser(deps: MutDeps, id: string): Promise<UserRow> {
  const current = await getUser(deps, id);
  if (current.role === "admin" && !current.disabled && (await otherActiveAdmins(deps, id)) === 0) {
    throw new ApiError("conflict", "This is the last active admin; make another admin first");
  }
  await deps.db.batch([
    deps.db.delete(sessions).where(eq(sessions.userId, id)),
    deps.db.delete(apiTokens).where(eq(apiTokens.userId, id)),
    deps.db.delete(users).where(eq(users.id, id)),
  ]);
  await deps.bus.publish({ topic: "auth.changed", nodeId: null, jobId: null });
  return current;
}
