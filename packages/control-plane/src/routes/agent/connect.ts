import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "../../env.ts";
import { ApiError } from "../../errors.ts";
import { nodeForCredential } from "../../services/nodes.ts";

/** Authenticates an agent by its credential (`Authorization: Bearer pya_…`) before the WebSocket upgrade. */
export const agentAuth: MiddlewareHandler<AppEnv> = async (c, next) => {
  const m = /^Bearer\s+(\S+)$/i.exec(c.req.header("authorization")?.trim() ?? "");
  const node = m?.[1] ? await nodeForCredential(c.get("deps"), m[1]) : null;
  if (!node)
    throw new ApiError("unauthenticated", "Unknown or revoked agent credential; re-enroll the agent");
  if (c.req.header("upgrade")?.toLowerCase() !== "websocket") {
    throw new ApiError("bad_request", "This endpoint speaks WebSocket only");
  }
  c.set("agentNode", node);
  await next();
};
