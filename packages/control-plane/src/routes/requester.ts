import type { Context } from "hono";
import type { AppEnv } from "../env.ts";
import type { JobOrigin } from "../services/jobs.ts";

/**
 * Who asked, as recorded on the jobs a route starts (`user:<id>` or `token:<id>`), and who may read
 * their output: the route's own access when it declares its jobs' output private (routes/define.ts),
 * so that declaration is the only one.
 */
export function requester(c: Context<AppEnv>): JobOrigin {
  const p = c.get("principal");
  const access = c.get("access");
  return {
    requestedBy: p ? (p.kind === "token" ? `token:${p.tokenId}` : `user:${p.user.id}`) : null,
    outputAccess:
      access?.kind === "user" && access.privateOutput ? { role: access.role, scope: access.scope } : null,
  };
}
