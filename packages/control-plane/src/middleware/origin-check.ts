import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "../env.ts";
import { ApiError } from "../errors.ts";

/**
 * Refuses cross-site mutations: a browser always sends Origin on them, and it must be this
 * server (by Host) or the configured public URL. Covers requests without a session too
 * (login CSRF). Clients that send no Origin (CLI, scripts) are not browsers and pass.
 */
export const originCheck: MiddlewareHandler<AppEnv> = async (c, next) => {
  const origin = c.req.header("origin");
  if (origin && !["GET", "HEAD", "OPTIONS"].includes(c.req.method)) {
    let host: string | null = null;
    try {
      host = new URL(origin).host;
    } catch {
      host = null;
    }
    const publicUrl = c.get("deps").publicUrl;
    const publicHost = publicUrl ? new URL(publicUrl).host : null;
    if (!host || (host !== c.req.header("host") && host !== publicHost)) {
      throw new ApiError("csrf_failed", `Cross-site request refused (Origin ${origin.slice(0, 100)})`);
    }
  }
  await next();
};
