import http from "node:http";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CaddyAdmin, CaddyError } from "./caddy-admin.ts";
import { CaddyRoutes } from "./caddy-routes.ts";
import { RouteInputError } from "./names.ts";
import { caddyInstalled, freePort, httpsGet, startApp, startCaddy, type TestCaddy } from "./testing.ts";

// Real Caddy from Debian's `caddy` package (scripts/system-deps.sh); skipped, loudly, without it.
const haveCaddy = caddyInstalled();
if (!haveCaddy)
  console.warn("caddy is not installed: skipping the Caddy route tests (apt-get install -y caddy)");

let caddy: TestCaddy;
let routes: CaddyRoutes;
let admin: CaddyAdmin;
const apps: { close(): Promise<void> }[] = [];

async function app(address: string, text: string): Promise<string> {
  const a = await startApp(address, text);
  apps.push(a);
  return `${address}:${a.port}`;
}

/** GET through Caddy, retrying briefly while Caddy applies a new config. */
async function viaCaddy(host: string, expectBody: string): Promise<void> {
  let last: unknown;
  for (let i = 0; i < 200; i++) {
    try {
      const r = await httpsGet(host, caddy.httpsPort, await caddy.rootCa());
      if (r.status === 200 && r.body === expectBody) return;
      last = r;
    } catch (err) {
      last = err;
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(
    `no ${JSON.stringify(expectBody)} from https://${host}: ${String(last)} ${JSON.stringify(last)}`,
  );
}

describe.skipIf(!haveCaddy)("CaddyRoutes against a real Caddy", () => {
  beforeAll(async () => {
    caddy = await startCaddy();
    admin = new CaddyAdmin(caddy.adminUrl);
    // Config Pylon does not own, which must survive everything below.
    await admin.request("POST", "/config/apps", {
      http: { servers: { other: { listen: ["127.0.0.1:0"], routes: [{ "@id": "theirs", handle: [] }] } } },
    });
    routes = new CaddyRoutes({
      adminUrl: caddy.adminUrl,
      httpsPort: caddy.httpsPort,
      httpPort: caddy.httpPort,
    });
  }, 30_000);
  afterAll(async () => {
    for (const a of apps) await a.close();
    await caddy?.stop();
  });

  it("creates Pylon's server once, keeping other config and not touching the host trust store", async () => {
    await routes.ensureServer();
    await routes.ensureServer();
    const server = await admin.request("GET", "/config/apps/http/servers/pylon");
    expect(server).toMatchObject({ listen: [`:${caddy.httpsPort}`] });
    expect(await admin.request("GET", "/id/theirs")).toEqual({ "@id": "theirs", handle: [] });
    expect(await admin.request("GET", "/config/apps/pki/certificate_authorities/local")).toEqual({
      install_trust: false,
    });
    expect(await admin.request("GET", "/config/apps/http/http_port")).toBe(caddy.httpPort);
  });

  it("publishes an app by name over HTTPS from the internal CA, then follows a new upstream", async () => {
    const first = await app("127.77.9.1", "app1 v1");
    const route = await routes.upsertRoute({ id: "app1", host: "app1.pylon.internal", upstream: first });
    expect(route).toEqual({ id: "app1", host: "app1.pylon.internal", upstream: first, tls: "internal" });
    await viaCaddy("app1.pylon.internal", "app1 v1");
    const second = await app("127.77.9.2", "app1 v2");
    await routes.upsertRoute({ id: "app1", host: "app1.pylon.internal", upstream: second, tls: "internal" });
    await viaCaddy("app1.pylon.internal", "app1 v2");
  }, 30_000);

  it("is idempotent: repeated upserts and removals neither fail nor duplicate", async () => {
    const up = await app("127.77.9.3", "app2");
    for (let i = 0; i < 3; i++)
      await routes.upsertRoute({ id: "app2", host: "app2.pylon.internal", upstream: up });
    const listed = (await routes.listRoutes()).filter((r) => r.id === "app2");
    expect(listed).toEqual([{ id: "app2", host: "app2.pylon.internal", upstream: up, tls: "internal" }]);
    expect(await routes.removeRoute("app2")).toBe(true);
    expect(await routes.removeRoute("app2")).toBe(false);
    expect(await routes.removeRoute("never-existed")).toBe(false);
    expect((await routes.listRoutes()).map((r) => r.id)).not.toContain("app2");
    await expect(admin.request("GET", "/id/pylon-tls:app2")).rejects.toThrow(
      "unknown object ID 'pylon-tls:app2'",
    );
  });

  it("keeps the first route serving while a second is added and removed", async () => {
    const a = await app("127.77.9.4", "alpha");
    const b = await app("127.77.9.5", "beta");
    await routes.upsertRoute({ id: "alpha", host: "alpha.pylon.internal", upstream: a });
    await routes.upsertRoute({ id: "beta", host: "beta.pylon.internal", upstream: b });
    await viaCaddy("alpha.pylon.internal", "alpha");
    await viaCaddy("beta.pylon.internal", "beta");
    await routes.removeRoute("beta");
    await viaCaddy("alpha.pylon.internal", "alpha");
  }, 30_000);

  it("stops serving a removed app: Caddy's 404 or a refused handshake", async () => {
    const up = await app("127.77.9.6", "gone soon");
    await routes.upsertRoute({ id: "gone", host: "gone.pylon.internal", upstream: up });
    await viaCaddy("gone.pylon.internal", "gone soon");
    await routes.removeRoute("gone");
    let outcome = "";
    for (let i = 0; i < 200 && !outcome; i++) {
      const r = await httpsGet("gone.pylon.internal", caddy.httpsPort, await caddy.rootCa()).catch(
        (err: Error) => ({ status: -1, body: err.message }),
      );
      if (r.status === 404 || r.status === -1) outcome = `${r.status} ${r.body}`;
      else await new Promise((res) => setTimeout(res, 100));
    }
    expect(outcome).toMatch(/^(404 No Pylon app|-1 )/);
  }, 30_000);

  it("routes a public name through an ACME policy (not the internal CA)", async () => {
    const up = await app("127.77.9.7", "public");
    const r = await routes.upsertRoute({ id: "pub", host: "shop.example.com", upstream: up });
    expect(r.tls).toBe("acme");
    expect(await admin.request("GET", "/id/pylon-tls:pub")).toEqual({
      "@id": "pylon-tls:pub",
      subjects: ["shop.example.com"],
      issuers: [{ module: "acme" }],
    });
    await routes.removeRoute("pub");
  });

  it("refuses hostile or conflicting input before it reaches Caddy", async () => {
    const before = await admin.request("GET", "/config/");
    for (const host of [
      "app 1.pylon.internal",
      "*.pylon.internal",
      '"quoted".internal',
      "x.internal\nHost: y",
    ])
      await expect(routes.upsertRoute({ id: "bad", host, upstream: "127.77.9.9:80" })).rejects.toBeInstanceOf(
        RouteInputError,
      );
    await expect(
      routes.upsertRoute({ id: "Bad Id", host: "ok.internal", upstream: "127.77.9.9:80" }),
    ).rejects.toThrow(/route id/);
    await expect(
      routes.upsertRoute({ id: "ok", host: "ok.internal", upstream: "127.77.9.9" }),
    ).rejects.toThrow(/addr:port/);
    await expect(
      routes.upsertRoute({ id: "ok", host: "ok.internal", upstream: "127.77.9.9:80", tls: "acme" }),
    ).rejects.toThrow(/private name/);
    await expect(
      routes.upsertRoute({ id: "thief", host: "alpha.pylon.internal", upstream: "127.77.9.9:80" }),
    ).rejects.toThrow("host alpha.pylon.internal is already routed to app alpha");
    expect(await admin.request("GET", "/config/")).toEqual(before);
  });

  it("repairs its own server and cleans duplicate ids left by a concurrent writer", async () => {
    await admin.request("PATCH", "/config/apps/http/servers/pylon/listen", [`:${await freePort()}`]);
    const up = await app("127.77.9.8", "dup");
    const route = { "@id": "pylon-dup", match: [{ host: ["dup.pylon.internal"] }], handle: [] };
    await admin.request("PUT", "/config/apps/http/servers/pylon/routes/0", route);
    await admin.request("PUT", "/config/apps/http/servers/pylon/routes/0", route);
    await routes.upsertRoute({ id: "dup", host: "dup.pylon.internal", upstream: up });
    expect(await admin.request("GET", "/config/apps/http/servers/pylon/listen")).toEqual([
      `:${caddy.httpsPort}`,
    ]);
    expect((await routes.listRoutes()).filter((r) => r.id === "dup")).toHaveLength(1);
    await viaCaddy("dup.pylon.internal", "dup");
    await admin.request("PUT", "/config/apps/http/servers/pylon/routes/0", route);
    expect(await routes.removeRoute("dup")).toBe(true);
    expect((await routes.listRoutes()).map((r) => r.id)).not.toContain("dup");
  }, 30_000);

  it("serialises concurrent upserts from one instance", async () => {
    const up = await app("127.77.9.10", "many");
    const ids = ["c1", "c2", "c3", "c4", "c5"];
    await Promise.all(
      ids.map((id) => routes.upsertRoute({ id, host: `${id}.pylon.internal`, upstream: up })),
    );
    const listed = (await routes.listRoutes()).filter((r) => ids.includes(r.id)).map((r) => r.id);
    expect(listed.sort()).toEqual(ids);
    await viaCaddy("c3.pylon.internal", "many");
    await Promise.all(ids.map((id) => routes.removeRoute(id)));
    const server = await admin.request("GET", "/config/apps/http/servers/pylon/routes");
    expect(Array.isArray(server) && server.at(-1)).toMatchObject({ "@id": "pylon:fallback" });
  }, 30_000);

  it("carries Caddy's own error text", async () => {
    const err = await admin.request("GET", "/id/nope").catch((e: unknown) => e);
    expect(err).toBeInstanceOf(CaddyError);
    expect((err as CaddyError).message).toBe("unknown object ID 'nope'");
    const port = await freePort();
    const down = new CaddyRoutes({ adminUrl: `http://127.0.0.1:${port}` });
    await expect(down.listRoutes()).rejects.toThrow(
      `cannot reach Caddy's admin API at http://127.0.0.1:${port}`,
    );
  });

  it("answers plain HTTP with a redirect to HTTPS", async () => {
    const status = await new Promise<number>((resolve, reject) => {
      http
        .get(
          { host: "127.0.0.1", port: caddy.httpPort, path: "/", headers: { host: "alpha.pylon.internal" } },
          (res) => {
            res.resume();
            resolve(res.statusCode ?? 0);
          },
        )
        .on("error", reject);
    });
    expect(status).toBe(308);
  });

  it("publishes again after every app was removed (emptied route and policy lists)", async () => {
    for (const r of await routes.listRoutes()) await routes.removeRoute(r.id);
    expect(await routes.listRoutes()).toEqual([]);
    const up = await app("127.77.9.7", "after empty");
    await routes.upsertRoute({ id: "again", host: "again.pylon.internal", upstream: up });
    await viaCaddy("again.pylon.internal", "after empty");
  }, 30_000);
});
