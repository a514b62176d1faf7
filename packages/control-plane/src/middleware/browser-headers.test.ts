import { afterEach, describe, expect, it } from "vitest";
import { type Harness, makeHarness } from "../testing/harness.ts";

let h: Harness | undefined;
afterEach(() => h?.close());

const html = "<!doctype html><title>Pylon</title>";

/** A harness whose dashboard answers every non-API path with a page, as the Node runtime's does. */
const withUi = (publicUrl?: string) =>
  makeHarness({
    publicUrl,
    serveUi: async (c, next) => (c.req.path.startsWith("/api/") ? next() : c.html(html)),
  });

describe("browser headers", () => {
  it("the dashboard, its routes and the API docs get the CSP, no framing, nosniff and a referrer policy", async () => {
    h = await withUi();
    for (const path of ["/", "/setup", "/apps/app_1", "/api/docs"]) {
      const res = await h.call("GET", path);
      expect(res.status, path).toBe(200);
      const csp = res.headers.get("content-security-policy") ?? "";
      expect(csp, path).toContain("script-src 'self'");
      expect(csp, path).not.toContain("unsafe-inline");
      expect(csp, path).toContain("frame-ancestors 'none'");
      expect(res.headers.get("x-frame-options"), path).toBe("DENY");
      expect(res.headers.get("x-content-type-options"), path).toBe("nosniff");
      // Not no-referrer: it would make the dashboard's own POSTs carry `Origin: null`.
      expect(res.headers.get("referrer-policy"), path).toBe("same-origin");
      expect(res.headers.get("strict-transport-security"), path).toBeNull();
    }
    const api = await h.call("GET", "/api/v1/setup");
    expect(api.headers.get("x-frame-options")).toBe("DENY");
    expect(api.headers.get("x-content-type-options")).toBe("nosniff");
  });

  it("adds HSTS everywhere when PYLON_PUBLIC_URL is https", async () => {
    h = await withUi("https://pylon.example.com");
    for (const path of ["/", "/setup", "/api/docs", "/api/v1/setup", "/healthz"]) {
      expect((await h.call("GET", path)).headers.get("strict-transport-security"), path).toBe(
        "max-age=31536000",
      );
    }
  });
});
