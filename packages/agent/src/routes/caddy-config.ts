import { z } from "zod";
import type { TlsMode } from "./names.ts";

// The slices of Caddy's JSON config (https://caddyserver.com/docs/json/) Pylon reads and
// writes. Everything else in the config is passed through untouched.

/** A JSON object as Caddy's config holds it. */
export type Json = Record<string, unknown>;

/** Whether a value is a JSON object (not an array). */
export function isObject(v: unknown): v is Json {
  return typeof v === "object" && v !== null && !Array.isArray(v);
}

/** The value at a path of keys, if every step is an object. */
export function at(root: unknown, path: readonly string[]): unknown {
  let cur: unknown = root;
  for (const key of path) {
    if (!isObject(cur)) return undefined;
    cur = cur[key];
  }
  return cur;
}

/** `@id` of a route Pylon manages for an app. */
export const routeTag = (id: string) => `pylon-${id}`;
/** `@id` of an app's TLS automation policy (`:` never occurs in a route id, so no clash). */
export const policyTag = (id: string) => `pylon-tls:${id}`;
/** `@id` of the server's last route: a 404 for names no app claims. */
export const FALLBACK_TAG = "pylon:fallback";

/** The route Caddy serves for one app: host match, reverse proxy to the guest. */
export function routeObject(id: string, host: string, upstream: string): Json {
  return {
    "@id": routeTag(id),
    match: [{ host: [host] }],
    handle: [{ handler: "reverse_proxy", upstreams: [{ dial: upstream }] }],
    terminal: true,
  };
}

/** The TLS automation policy for one app's host: Caddy's internal CA or ACME. */
export function policyObject(id: string, host: string, tls: TlsMode, acmeEmail?: string): Json {
  const issuer: Json = tls === "internal" ? { module: "internal" } : { module: "acme" };
  if (tls === "acme" && acmeEmail) issuer.email = acmeEmail;
  return { "@id": policyTag(id), subjects: [host], issuers: [issuer] };
}

/** The server's catch-all last route, so an unknown or removed name gets a 404, not an empty 200. */
export function fallbackRoute(): Json {
  return {
    "@id": FALLBACK_TAG,
    handle: [
      { handler: "static_response", status_code: 404, body: "No Pylon app is published at this name.\n" },
    ],
    terminal: true,
  };
}

const routeShape = z.object({
  "@id": z.string(),
  match: z.array(z.object({ host: z.array(z.string()).optional() })).optional(),
  handle: z.array(z.object({ upstreams: z.array(z.object({ dial: z.string() })).optional() })).optional(),
});

/** What a managed route says, read back from Caddy's config. */
export interface RouteInfo {
  id: string;
  host: string;
  upstream: string;
  tls: TlsMode;
}

/** The app routes (not the fallback) among a server's routes, with their policies' TLS modes. */
export function readRoutes(routes: unknown, policies: unknown): RouteInfo[] {
  const out: RouteInfo[] = [];
  if (!Array.isArray(routes)) return out;
  for (const raw of routes) {
    const r = routeShape.safeParse(raw);
    if (!r.success || !r.data["@id"].startsWith("pylon-") || r.data["@id"].includes(":")) continue;
    const id = r.data["@id"].slice("pylon-".length);
    const policy = Array.isArray(policies)
      ? policies.find((p) => isObject(p) && p["@id"] === policyTag(id))
      : undefined;
    const issuer = at(policy, ["issuers"]);
    const module = Array.isArray(issuer) ? at(issuer[0], ["module"]) : undefined;
    out.push({
      id,
      host: r.data.match?.[0]?.host?.[0] ?? "",
      upstream: r.data.handle?.[0]?.upstreams?.[0]?.dial ?? "",
      tls: module === "internal" ? "internal" : "acme",
    });
  }
  return out;
}

/** Deep equality of two JSON values (object key order ignored), to skip no-op writes. */
export function sameJson(a: unknown, b: unknown): boolean {
  if (Array.isArray(a) || Array.isArray(b)) {
    if (!Array.isArray(a) || !Array.isArray(b) || a.length !== b.length) return false;
    return a.every((v, i) => sameJson(v, b[i]));
  }
  if (isObject(a) && isObject(b)) {
    const ka = Object.keys(a);
    if (ka.length !== Object.keys(b).length) return false;
    return ka.every((k) => k in b && sameJson(a[k], b[k]));
  }
  return a === b;
}
