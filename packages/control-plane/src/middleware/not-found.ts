import type { Hono, NotFoundHandler } from "hono";
import type { AppEnv } from "../env.ts";
import { ApiError } from "../errors.ts";
import { errorResponse } from "./errors.ts";

type RouteList = Hono<AppEnv>["routes"];

function compile(routes: RouteList) {
  const byPath = new Map<string, { re: RegExp; methods: Set<string> }>();
  for (const r of routes) {
    if (r.method === "ALL" || r.path.includes("*")) continue;
    let entry = byPath.get(r.path);
    if (!entry) {
      const re = new RegExp(
        `^${r.path.replace(/[.+?^${}()|[\]\\]/g, "\\$&").replace(/\/:[^/]+/g, "/[^/]+")}/?$`,
      );
      entry = { re, methods: new Set() };
      byPath.set(r.path, entry);
    }
    entry.methods.add(r.method);
    if (r.method === "GET") entry.methods.add("HEAD");
  }
  return [...byPath.values()];
}

/**
 * 404 for unknown paths, 405 (with Allow) when the path exists under another method;
 * always the JSON error shape.
 */
export function notFoundHandler(app: Hono<AppEnv>): NotFoundHandler<AppEnv> {
  let table: ReturnType<typeof compile> | undefined;
  return (c) => {
    table ??= compile(app.routes);
    const allowed = new Set<string>();
    for (const t of table) if (t.re.test(c.req.path)) for (const m of t.methods) allowed.add(m);
    if (allowed.size > 0) {
      const allow = [...allowed].sort().join(", ");
      return errorResponse(
        c,
        new ApiError("method_not_allowed", `${c.req.method} is not allowed here; use ${allow}`, undefined, {
          Allow: allow,
        }),
      );
    }
    return errorResponse(
      c,
      new ApiError("not_found", `No route for ${c.req.method} ${c.req.path.slice(0, 200)}`),
    );
  };
}
