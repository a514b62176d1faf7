import { createRoute, type RouteConfig } from "@hono/zod-openapi";
import { errorBodySchema } from "@pylon/shared";
import { authorize } from "../middleware/authorize.ts";
import type { Access } from "../services/principal.ts";

const SECURED: Record<string, string[]>[] = [{ bearerAuth: [] }, { cookieAuth: [] }];
const NONE: Record<string, string[]>[] = [];

/** Anyone may call it. */
export const PUBLIC: Access = { kind: "public" };

/**
 * A signed-in user of at least `role`; a token also needs `scope` (or a stronger one). With
 * `privateOutput`, the jobs this route starts show their output (result, error, events, stream)
 * only to callers with this same access; other jobs' output is readable by everyone who may read
 * jobs. Use it for routes that exist to read something (logs, diagnostics).
 */
export function requires(
  role: "viewer" | "operator" | "admin",
  scope: "read" | "deploy" | "write" | "admin",
  opts: { privateOutput?: boolean } = {},
): Access {
  return { kind: "user", role, scope, ...(opts.privateOutput ? { privateOutput: true } : {}) };
}

/** Like {@link requires}, but API tokens are refused outright (e.g. changing one's password). */
export function sessionOnly(role: "viewer" | "operator" | "admin"): Access {
  return { kind: "user", role, scope: "admin", sessionOnly: true };
}

/** A documented error answer (the common JSON error shape). */
export const err = (description: string) => ({
  description,
  content: { "application/json": { schema: errorBodySchema } },
});

function errorResponses(access: Access) {
  return {
    400: err("Invalid input; `details.fields` names each bad field"),
    ...(access.kind === "user"
      ? { 401: err("Not signed in, or the token is invalid"), 403: err("Role, scope or CSRF check failed") }
      : {}),
    500: err("Internal error"),
  };
}

/**
 * Declares a route with its access rule and, for mutations, its audit action. This is the only
 * way routes are made, so every route states who may call it, and the OpenAPI document shows it
 * (`x-pylon-access`, security schemes).
 */
export function defineRoute<
  P extends string,
  R extends Omit<RouteConfig, "path" | "middleware"> & { path: P },
>(access: Access, action: string | null, route: R) {
  return createRoute({
    ...route,
    middleware: [authorize(access, action)] as const,
    security: access.kind === "public" ? NONE : SECURED,
    "x-pylon-access":
      access.kind === "public"
        ? { public: true }
        : {
            role: access.role,
            scope: access.sessionOnly ? null : access.scope,
            sessionOnly: !!access.sessionOnly,
            ...(access.privateOutput ? { jobOutput: { role: access.role, scope: access.scope } } : {}),
          },
    ...(action ? { "x-pylon-action": action } : {}),
    responses: { ...errorResponses(access), ...route.responses },
  });
}
