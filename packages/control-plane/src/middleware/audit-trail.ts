import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "../env.ts";
import { writeAudit } from "../services/audit.ts";

/**
 * Writes one audit row per mutating request once its answer is known, refused ones included.
 * Routes opt in by declaring an action (routes/define.ts); handlers may name the target.
 */
export const auditTrail: MiddlewareHandler<AppEnv> = async (c, next) => {
  await next();
  const audit = c.get("audit");
  if (!audit) return;
  const p = c.get("principal");
  const deps = c.get("deps");
  try {
    await writeAudit(deps, {
      actorType: p ? (p.kind === "token" ? "token" : "user") : "anonymous",
      actorId: p ? (p.kind === "token" ? p.tokenId : p.user.id) : null,
      actorName: p ? (p.kind === "token" ? `${p.user.email} (token ${p.tokenName})` : p.user.email) : null,
      action: audit.action,
      target: audit.target,
      result: c.res.status < 400 ? "success" : "failure",
      status: c.res.status,
      requestId: c.get("requestId"),
      ip: deps.clientIp(c),
      userAgent: c.req.header("user-agent")?.slice(0, 300) ?? null,
    });
  } catch (err) {
    deps.logger.error("audit write failed", { requestId: c.get("requestId"), error: String(err) });
  }
};
