import type { Context } from "hono";
import type { JobRow } from "../db/schema/index.ts";
import type { AppEnv } from "../env.ts";
import { ApiError } from "../errors.ts";
import { outputRefusal } from "../services/jobs.ts";
import { type Principal, refusal } from "../services/principal.ts";
import { sessionUser } from "../services/sessions.ts";
import { effectiveScopes, tokenHolder } from "../services/tokens.ts";

/**
 * For answers that stay open (Server-Sent Events): checks again that the caller may still have
 * it. Their session must not have ended (signed out, revoked, expired) nor their token been revoked
 * or expired; the user must still exist, be enabled and hold the route's access, and, for a job,
 * the access its output needs. Returns the refusal to send, or null.
 */
export function callerCheck(c: Context<AppEnv>): (job?: JobRow) => Promise<ApiError | null> {
  const deps = c.get("deps");
  const p = c.get("principal");
  const access = c.get("access");
  return async (job) => {
    if (!p) return null;
    let now: Principal | null = null;
    if (p.kind === "session") {
      const user = await sessionUser(deps, p.sessionHash);
      if (user) now = { ...p, user };
    } else {
      const found = await tokenHolder(deps, p.tokenId);
      if (found)
        now = { ...p, user: found.user, scopes: effectiveScopes(found.token.scopes, found.user.role) };
    }
    if (!now)
      return new ApiError(
        "unauthenticated",
        p.kind === "session"
          ? "Your session has ended (signed out, expired or revoked); sign in again"
          : "This API token is no longer valid (revoked or expired, or its user was disabled)",
      );
    const why =
      (access?.kind === "user" ? refusal(access, now) : null) ?? (job ? outputRefusal(job, now) : null);
    return why ? new ApiError("forbidden", why) : null;
  };
}
