import type { Role, Scope } from "@pylon/shared";
import type { UserRow } from "../db/schema/index.ts";

/** The authenticated caller of a request. */
export type Principal =
  | { kind: "session"; user: UserRow; sessionHash: string; csrfToken: string }
  | { kind: "token"; user: UserRow; tokenId: string; tokenName: string; scopes: Scope[] };

/** Roles and scopes a route demands; declared once per route. */
export type Access = { kind: "public" } | { kind: "user"; role: Role; scope: Scope; sessionOnly?: boolean };
