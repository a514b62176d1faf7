import { describe, expect, it } from "vitest";
import { addressOf, forwardedClient } from "./forwarded-for.ts";

describe("the client address from X-Forwarded-For", () => {
  it("is the entry your one proxy added (the right end), never the client-supplied left end", () => {
    expect(forwardedClient("6.6.6.6, 203.0.113.7", 1)).toBe("203.0.113.7");
    expect(forwardedClient("203.0.113.7", 1)).toBe("203.0.113.7");
  });

  it("counts hops from the right with several proxies of yours", () => {
    // client-forged, real client (added by the CDN), CDN address (added by your Caddy)
    expect(forwardedClient("6.6.6.6, 203.0.113.7, 198.51.100.2", 2)).toBe("203.0.113.7");
    // fewer entries than proxies: the leftmost
    expect(forwardedClient("203.0.113.7", 2)).toBe("203.0.113.7");
  });

  it("is nothing without a header, without trust, or when the entry is not an address", () => {
    expect(forwardedClient(undefined, 1)).toBeNull();
    expect(forwardedClient("", 1)).toBeNull();
    expect(forwardedClient("203.0.113.7", 0)).toBeNull();
    expect(forwardedClient("1.2.3.4, evil<script>", 1)).toBeNull();
    expect(forwardedClient("1.2.3.4, 999.1.1.1", 1)).toBeNull();
    expect(forwardedClient(" , ", 1)).toBeNull();
  });

  it("reads IPv6 and addresses with ports", () => {
    expect(addressOf("2001:DB8::1")).toBe("2001:db8::1");
    expect(addressOf("[2001:db8::1]:443")).toBe("2001:db8::1");
    expect(addressOf("192.0.2.1:8080")).toBe("192.0.2.1");
    expect(addressOf("::ffff:192.0.2.1")).toBe("::ffff:192.0.2.1");
    expect(addressOf("unknown")).toBeNull();
  });
});
