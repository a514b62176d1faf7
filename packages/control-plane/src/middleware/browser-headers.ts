import type { MiddlewareHandler } from "hono";
import type { AppEnv } from "../env.ts";

/**
 * The dashboard's Content-Security-Policy. Everything comes from our own origin: the built UI
 * has no inline script (the theme is set by /theme.js), the API docs' Swagger UI is served from
 * /api-docs/. Inline style attributes stay refused too; scripts set styles through the DOM,
 * which CSP allows. `data:` images are Swagger UI's icons.
 */
export const DASHBOARD_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self' data:",
  "font-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join("; ");

/** HSTS for a year; only sent when the public URL is https (set by browsers only over https anyway). */
export const HSTS = "max-age=31536000";

/** Whether Pylon is reached over https (PYLON_PUBLIC_URL), so HSTS applies. */
export const isHttps = (publicUrl: string | undefined) => publicUrl?.startsWith("https:") === true;

/**
 * Browser protections for the dashboard, its static files and the API docs page: the CSP, no
 * framing (CSP and X-Frame-Options for old browsers), no MIME sniffing, and a referrer that
 * stays on this origin. Not `no-referrer`: under that policy a browser sends `Origin: null` on
 * the dashboard's own POSTs, which the Origin check refuses.
 */
export function browserHeaders(publicUrl: string | undefined): MiddlewareHandler<AppEnv> {
  const headers: [string, string][] = [
    ["Content-Security-Policy", DASHBOARD_CSP],
    ["X-Frame-Options", "DENY"],
    ["X-Content-Type-Options", "nosniff"],
    ["Referrer-Policy", "same-origin"],
    ["Cross-Origin-Opener-Policy", "same-origin"],
  ];
  if (isHttps(publicUrl)) headers.push(["Strict-Transport-Security", HSTS]);
  return async (c, next) => {
    await next();
    for (const [name, value] of headers) c.res.headers.set(name, value);
  };
}
