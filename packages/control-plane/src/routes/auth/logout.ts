import type { RouteHandler } from "@hono/zod-openapi";
import { getCookie } from "hono/cookie";
import type { AppEnv } from "../../env.ts";
import { sha256Hex } from "../../lib/crypto.ts";
import { clearSessionCookies, SESSION_COOKIE } from "../../middleware/cookies.ts";
import { revokeSession } from "../../services/sessions.ts";
import { defineRoute, PUBLIC } from "../define.ts";

export const route = defineRoute(PUBLIC, "auth.logout", {
  method: "post",
  path: "/auth/logout",
  tags: ["auth"],
  summary: "Sign out: ends the session behind the cookie and clears it",
  responses: { 204: { description: "Signed out" } },
});

export const handler: RouteHandler<typeof route, AppEnv> = async (c) => {
  const cookie = getCookie(c, SESSION_COOKIE);
  const ended = cookie ? await revokeSession(c.get("deps"), sha256Hex(cookie)) : false;
  // Signing out without a session changes nothing: not worth an audit row (floods would add one each).
  if (!ended) c.set("audit", null);
  clearSessionCookies(c);
  return c.body(null, 204);
};
