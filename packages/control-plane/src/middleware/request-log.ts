import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "../env.ts";

/** One log line per request: method, path (never the query, which may carry secrets), status, time. */
export const requestLog: MiddlewareHandler<AppEnv> = async (c, next) => {
  const start = performance.now();
  await next();
  c.get("deps").logger.info("request", {
    requestId: c.get("requestId"),
    method: c.req.method,
    path: c.req.path,
    status: c.res.status,
    ms: Math.round((performance.now() - start) * 10) / 10,
  });
};
