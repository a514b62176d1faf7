// Role and scope lists as values. They mirror @pylon/shared/api/roles, which cannot be imported
// as values without pulling zod into the bundle; the type checks below keep the two in step.
import type { Role, Scope } from "@pylon/shared";

export const ROLES = ["viewer", "operator", "admin"] as const satisfies readonly Role[];
export const SCOPES = ["read", "deploy", "write", "admin"] as const satisfies readonly Scope[];

type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const rolesMatch: Same<(typeof ROLES)[number], Role> = true;
const scopesMatch: Same<(typeof SCOPES)[number], Scope> = true;
void rolesMatch;
void scopesMatch;

/** The strongest scope a user of this role may put on a token (as the API enforces). */
export const MAX_SCOPE_FOR_ROLE: Record<Role, Scope> = { viewer: "read", operator: "write", admin: "admin" };

/** True when `have` is at least as strong as `need`. */
export function roleAtLeast(have: Role, need: Role): boolean {
  return ROLES.indexOf(have) >= ROLES.indexOf(need);
}

/** The scopes a user of this role may grant, weakest first. */
export function grantableScopes(role: Role): Scope[] {
  return SCOPES.slice(0, SCOPES.indexOf(MAX_SCOPE_FOR_ROLE[role]) + 1);
}

export const SCOPE_HELP: Record<Scope, string> = {
  read: "Read everything your role can see (for an admin, users and the audit log too)",
  deploy: "Read, and deploy and run actions on apps",
  write: "Deploy, and change resources",
  admin: "Everything, including managing users and other people's tokens",
};

export const ROLE_HELP: Record<Role, string> = {
  viewer: "Sees everything, changes nothing",
  operator: "Deploys and manages apps and nodes",
  admin: "Everything, including users and the audit log",
};

/** Narrows a string (e.g. a select's value) to a role. */
export function isRole(v: string): v is Role {
  return (ROLES as readonly string[]).includes(v);
}
