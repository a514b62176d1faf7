import type { Context, MiddlewareHandler } from "hono";
import { getCookie } from "hono/cookie";
import type { AppEnv } from "../env.ts";
import { ApiError } from "../errors.ts";
import { constantTimeEqual } from "../lib/crypto.ts";
import { type Access, type Principal, refusal } from "../services/principal.ts";
import { csrfTokenFor, resolveSession } from "../services/sessions.ts";
import { effectiveScopes, resolveToken } from "../services/tokens.ts";
import { CSRF_HEADER, clearSessionCookies, SESSION_COOKIE } from "./cookies.ts";

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS"]);

/** Finds who is calling from a bearer token or the session cookie; 401 when nobody valid is. */
export async function authenticate(c: Context<AppEnv>): Promise<Principal> {
  const deps = c.get("deps");
  const header = c.req.header("authorization");
  if (header !== undefined) {
    const m = /^Bearer\s+(\S+)$/i.exec(header.trim());
    if (!m?.[1])
      throw new ApiError("unauthenticated", "Unsupported Authorization header; send 'Bearer pyl_…'");
    const found = await resolveToken(deps, m[1]);
    if (!found) throw new ApiError("unauthenticated", "Invalid, expired or revoked API token");
    return {
      kind: "token",
      user: found.user,
      tokenId: found.token.id,
      tokenName: found.token.name,
      scopes: effectiveScopes(found.token.scopes, found.user.role),
    };
  }
  const cookie = getCookie(c, SESSION_COOKIE);
  if (cookie) {
    const found = await resolveSession(deps, cookie);
    if (found.state === "valid") {
      return {
        kind: "session",
        user: found.user,
        sessionHash: found.idHash,
        csrfToken: csrfTokenFor(deps, cookie),
      };
    }
    clearSessionCookies(c);
    if (found.state === "expired")
      throw new ApiError("session_expired", "Your session has expired; sign in again");
    throw new ApiError("unauthenticated", "Your session is no longer valid; sign in again");
  }
  throw new ApiError("unauthenticated", "Sign in, or send an API token as 'Authorization: Bearer pyl_…'");
}

/** Enforces a route's declared access: authentication, role, token scope and CSRF. */
export function checkAccess(c: Context<AppEnv>, access: Access, p: Principal): void {
  if (access.kind === "public") return;
  const why = refusal(access, p);
  if (why) throw new ApiError("forbidden", why);
  if (p.kind === "session" && !SAFE_METHODS.has(c.req.method)) {
    const sent = c.req.header(CSRF_HEADER) ?? "";
    if (!constantTimeEqual(sent, p.csrfToken)) {
      throw new ApiError(
        "csrf_failed",
        `Missing or wrong ${CSRF_HEADER} header (its value is in the pylon_csrf cookie)`,
      );
    }
  }
}

/**
 * The one place authorization happens: every route passes its declared access here
 * (see routes/define.ts), and mutating routes are marked for the audit log before any check,
 * so refused attempts are audited too.
 */
export function authorize(access: Access, action: string | null): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    c.set("access", access);
    if (action && !SAFE_METHODS.has(c.req.method))
      c.set("audit", { action, target: c.req.param("id") ?? null });
    if (access.kind === "user") {
      const principal = await authenticate(c);
      c.set("principal", principal);
      checkAccess(c, access, principal);
    }
    await next();
  };
}
