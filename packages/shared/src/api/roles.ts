import { z } from "zod";

/** User roles, weakest first. */
export const ROLES = ["viewer", "operator", "admin"] as const;
export type Role = (typeof ROLES)[number];
export const roleSchema = z.enum(ROLES);

/** API token scopes, weakest first; a scope implies every scope before it. */
export const SCOPES = ["read", "deploy", "write", "admin"] as const;
export type Scope = (typeof SCOPES)[number];
export const scopeSchema = z.enum(SCOPES);

/** True when `have` is at least as strong as `need`. */
export function roleAtLeast(have: Role, need: Role): boolean {
  return ROLES.indexOf(have) >= ROLES.indexOf(need);
}

/** True when a token holding `scopes` may act where `need` is required. */
export function scopesAllow(scopes: readonly Scope[], need: Scope): boolean {
  const needIndex = SCOPES.indexOf(need);
  return scopes.some((s) => SCOPES.indexOf(s) >= needIndex);
}

/** The strongest scope a user of this role may put on a token. */
export const MAX_SCOPE_FOR_ROLE: Record<Role, Scope> = {
  viewer: "read",
  operator: "write",
  admin: "admin",
};
