import { type Role, roleAtLeast, type Scope, scopesAllow } from "@pylon/shared";
import type { UserRow } from "../db/schema/index.ts";

/** The authenticated caller of a request. */
export type Principal =
  | { kind: "session"; user: UserRow; sessionHash: string; csrfToken: string }
  | { kind: "token"; user: UserRow; tokenId: string; tokenName: string; scopes: Scope[] };

/**
 * Roles and scopes a route demands; declared once per route. `privateOutput`: the jobs the route
 * starts keep this access for their output (result, error, events), instead of showing it to
 * everyone who may read jobs.
 */
export type Access =
  | { kind: "public" }
  | { kind: "user"; role: Role; scope: Scope; sessionOnly?: boolean; privateOutput?: boolean };

/** What reading a job's output needs, when more than reading jobs. */
export type OutputAccess = { role: Role; scope: Scope };

/** Why a signed-in caller may not do what `need` demands, or null when they may. */
export function refusal(
  need: { role: Role; scope: Scope; sessionOnly?: boolean },
  p: Principal,
): string | null {
  if (!roleAtLeast(p.user.role, need.role)) return `This needs the ${need.role} role; you are ${p.user.role}`;
  if (p.kind === "token") {
    if (need.sessionOnly) return "This needs a signed-in session, not an API token";
    if (!scopesAllow(p.scopes, need.scope)) return `This API token lacks the '${need.scope}' scope`;
  }
  return null;
}
