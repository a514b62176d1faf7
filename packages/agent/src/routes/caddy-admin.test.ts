import http from "node:http";
import { describe, expect, it } from "vitest";
import { CaddyAdmin } from "./caddy-admin.ts";
import { freePort } from "./testing.ts";

describe("Caddy admin calls", () => {
  it("ride out Caddy restarting its admin server (connection refused for a moment)", async () => {
    const port = await freePort();
    const admin = new CaddyAdmin(`http://127.0.0.1:${port}`);
    let server: http.Server | undefined;
    const late = setTimeout(() => {
      server = http.createServer((_req, res) => res.end('{"ok":true}')).listen(port, "127.0.0.1");
    }, 250);
    try {
      await expect(admin.request("GET", "/config/")).resolves.toEqual({ ok: true });
    } finally {
      clearTimeout(late);
      server?.closeAllConnections();
      await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
    }
  });
});
