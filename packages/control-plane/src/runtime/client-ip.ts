import { getConnInfo } from "@hono/node-server/conninfo";
import type { Context } from "hono";
import { forwardedClient } from "../lib/forwarded-for.ts";

/**
 * The caller's address: the TCP peer, or behind `trustedProxies` reverse proxies of yours
 * (PYLON_TRUST_PROXY) the address the outermost of them put in X-Forwarded-For.
 */
export function clientIp(trustedProxies: number) {
  return (c: Context): string | null => {
    if (trustedProxies > 0) {
      const forwarded = forwardedClient(c.req.header("x-forwarded-for"), trustedProxies);
      if (forwarded) return forwarded;
    }
    try {
      return getConnInfo(c).remote.address ?? null;
    } catch {
      return null;
    }
  };
}
