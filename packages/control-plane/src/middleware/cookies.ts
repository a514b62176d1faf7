import type { Context } from "hono";
import { deleteCookie, setCookie } from "hono/cookie";
import type { AppEnv } from "../env.ts";
import type { NewSession } from "../services/sessions.ts";

export const SESSION_COOKIE = "pylon_session";
export const CSRF_COOKIE = "pylon_csrf";
export const CSRF_HEADER = "X-CSRF-Token";

function secure(c: Context<AppEnv>): boolean {
  const base = c.get("deps").publicUrl ?? c.req.url;
  return base.startsWith("https:");
}

/** Hands a session to the browser: HttpOnly session cookie plus a readable CSRF cookie. */
export function setSessionCookies(c: Context<AppEnv>, session: NewSession): void {
  const common = {
    path: "/",
    sameSite: "Lax",
    secure: secure(c),
    expires: new Date(session.expiresAt),
  } as const;
  setCookie(c, SESSION_COOKIE, session.cookieValue, { ...common, httpOnly: true });
  setCookie(c, CSRF_COOKIE, session.csrfToken, { ...common, httpOnly: false });
}

/** Removes both session cookies. */
export function clearSessionCookies(c: Context<AppEnv>): void {
  deleteCookie(c, SESSION_COOKIE, { path: "/", secure: secure(c) });
  deleteCookie(c, CSRF_COOKIE, { path: "/", secure: secure(c) });
}
