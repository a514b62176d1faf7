import { isIP } from "node:net";
import { parse } from "tldts";

/** A route input refused before anything reached Caddy. */
export class RouteInputError extends Error {
  override name = "RouteInputError";
}

export type TlsMode = "internal" | "acme";

const LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
const ROUTE_ID = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

// Special-use names no public CA will ever issue for (RFC 6761, RFC 8375 home.arpa, RFC 9476
// .alt, ICANN's .internal, and the de-facto .lan), checked before the public suffix list
// because `arpa` itself is an ICANN suffix.
const PRIVATE_SUFFIXES = [
  "internal",
  "lan",
  "local",
  "localhost",
  "home.arpa",
  "test",
  "example",
  "invalid",
  "alt",
  "onion",
];

/** Checks a route id (it becomes Caddy's `@id` `pylon-<id>`): a DNS label. */
export function checkRouteId(id: string): string {
  if (typeof id !== "string" || !ROUTE_ID.test(id))
    throw new RouteInputError(
      `route id ${JSON.stringify(id)} must be 1-63 lowercase letters, digits or inner hyphens`,
    );
  return id;
}

/**
 * Checks a host name for a route and returns it lowercased: ASCII DNS names (IDNs in their
 * xn-- form) or IP literals only. Wildcards, spaces, quotes, ports and trailing dots are
 * refused, so nothing odd can reach Caddy's host matcher or certificate subjects.
 */
export function checkHost(host: string): string {
  if (typeof host !== "string" || host === "") throw new RouteInputError("route host must not be empty");
  const h = host.toLowerCase();
  if (isIP(h)) return h;
  const refuse = (why: string) => new RouteInputError(`route host ${JSON.stringify(host)} ${why}`);
  if (h.length > 253) throw refuse("is longer than 253 characters");
  if (h.includes("*")) throw refuse("is a wildcard; give one exact name per route");
  if (/[^\x21-\x7e]/.test(h))
    throw refuse("contains spaces, control or non-ASCII characters (use xn-- for IDNs)");
  for (const label of h.split("."))
    if (!LABEL.test(label)) throw refuse("is not a DNS name (letters, digits, inner hyphens, dot-separated)");
  return h;
}

/** Whether a (checked) host can only get a certificate from a private CA, never from ACME. */
export function isPrivateHost(host: string): boolean {
  const h = checkHost(host);
  if (isIP(h)) return true;
  if (!h.includes(".")) return true;
  if (PRIVATE_SUFFIXES.some((s) => h === s || h.endsWith(`.${s}`))) return true;
  // A name under no ICANN public suffix (app.myhomelab) cannot be validated by a public CA.
  const info = parse(h, { allowPrivateDomains: false });
  return !info.isIcann || !info.domain;
}

/** The TLS mode a host calls for: the internal CA for private names, ACME for public ones. */
export function tlsModeFor(host: string): TlsMode {
  return isPrivateHost(host) ? "internal" : "acme";
}

/** Checks `addr:port` for a reverse-proxy upstream (IPv6 in brackets). */
export function checkUpstream(upstream: string): string {
  const m = typeof upstream === "string" ? /^(\[[0-9a-fA-F:.]+\]|[^:[\]]+):(\d{1,5})$/.exec(upstream) : null;
  const port = Number(m?.[2]);
  if (!m?.[1] || port < 1 || port > 65535)
    throw new RouteInputError(`upstream ${JSON.stringify(upstream)} must be addr:port with a port 1-65535`);
  const addr = m[1];
  if (addr.startsWith("[")) {
    if (isIP(addr.slice(1, -1)) !== 6)
      throw new RouteInputError(`upstream ${upstream} has an invalid IPv6 address`);
  } else checkHost(addr);
  return `${addr.toLowerCase()}:${port}`;
}
