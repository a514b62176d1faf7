import { serveStatic } from "@hono/node-server/serve-static";
import type { MiddlewareHandler } from "hono";

/** Serves the built dashboard from `root`; client-side routes (/setup, /apps/…) get its index.html. */
export function uiHandler(root: string): MiddlewareHandler {
  const files = serveStatic({ root });
  const index = serveStatic({ root, path: "index.html" });
  return async (c, next) => {
    if (c.req.path.startsWith("/api/")) return next();
    const res = await files(c, async () => {});
    if (res) return res;
    if (c.res.status !== 404 && c.finalized) return;
    // Client-side routes (/setup, /apps/…) get the SPA shell.
    if (/\.[a-z0-9]+$/i.test(c.req.path)) return next();
    return index(c, next);
  };
}
