// The built Node server as a user runs it: real process, real HTTP, a fresh libSQL file.
import { statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { AUTH_CACHE_MS } from "@pylon/control-plane/services/auth-cache";
import { afterEach, describe, expect, it } from "vitest";
import { Client, type RunningServer, runToExit, scratchDir, startServer } from "./support/server.ts";

const servers: RunningServer[] = [];
const dirs: (() => void)[] = [];
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.stop("SIGKILL")));
  for (const d of dirs.splice(0)) d();
});

function scratch() {
  const s = scratchDir();
  dirs.push(s.cleanup);
  return s.dir;
}

async function start(cwd: string, env: Record<string, string> = {}) {
  const s = await startServer(cwd, env);
  servers.push(s);
  return s;
}

const ADMIN = { PYLON_ADMIN_EMAIL: "admin@example.com", PYLON_ADMIN_PASSWORD: "admin password 123" };

describe("first run", () => {
  it("prints a one-time setup link, creates the admin through it, and keeps data in ./data", async () => {
    const cwd = scratch();
    const s = await start(cwd);
    // Printed before /readyz says ready (startServer waits for it).
    expect(s.output()).toMatch(/\/setup#token=/);
    const token = /#token=([a-z2-7]+)/.exec(s.output())![1];
    const key = statSync(join(cwd, "data", "secret.key"));
    expect(key.mode & 0o777).toBe(0o600);
    statSync(join(cwd, "data", "pylon.db"));

    const browser = new Client(s.url);
    expect((await browser.call("GET", "/api/v1/setup")).json).toEqual({ needed: true });
    const done = await browser.call("POST", "/api/v1/setup", {
      token,
      email: "me@example.com",
      name: "Me",
      password: "a good long password",
    });
    expect(done.status).toBe(201);
    expect((await browser.call("GET", "/api/v1/auth/me")).json.user.role).toBe("admin");
    const reuse = await new Client(s.url).call("POST", "/api/v1/setup", {
      token,
      email: "x@example.com",
      name: "X",
      password: "another long password",
    });
    expect(reuse.status).toBe(409);

    // The log never contains the password or the session cookie.
    expect(s.output()).not.toContain("a good long password");
    expect(s.output()).not.toMatch(/pylon_session=/);

    // Restart on the same database: no new setup link, same admin.
    await s.stop();
    const again = await start(cwd);
    // Ready means the first-run check is done: a link would have been printed by now.
    expect(again.output()).not.toMatch(/setup#token=/);
    const back = new Client(again.url);
    expect(
      (
        await back.call("POST", "/api/v1/auth/login", {
          email: "me@example.com",
          password: "a good long password",
        })
      ).status,
    ).toBe(200);
  });

  it("creates the admin from PYLON_ADMIN_* and never prints the password", async () => {
    const cwd = scratch();
    const s = await start(cwd, ADMIN);
    const c = new Client(s.url);
    await expect
      .poll(
        async () =>
          (
            await c.call("POST", "/api/v1/auth/login", {
              email: ADMIN.PYLON_ADMIN_EMAIL,
              password: ADMIN.PYLON_ADMIN_PASSWORD,
            })
          ).status,
      )
      .toBe(200);
    expect(s.output()).not.toContain(ADMIN.PYLON_ADMIN_PASSWORD);
    expect(s.output()).not.toMatch(/setup#token=/);
  });

  it("reads settings from a .env file", async () => {
    const cwd = scratch();
    writeFileSync(
      join(cwd, ".env"),
      `PYLON_DATABASE_URL=file:./elsewhere/db.sqlite\nPYLON_ADMIN_EMAIL=env@example.com\nPYLON_ADMIN_PASSWORD=from the env file\n`,
    );
    const s = await start(cwd);
    statSync(join(cwd, "elsewhere", "db.sqlite"));
    const c = new Client(s.url);
    await expect
      .poll(
        async () =>
          (
            await c.call("POST", "/api/v1/auth/login", {
              email: "env@example.com",
              password: "from the env file",
            })
          ).status,
      )
      .toBe(200);
  });

  it("refuses a bad setting with a message naming the variable", async () => {
    const cwd = scratch();
    const r = await runToExit(cwd, {
      PYLON_PORT: "eighty",
      PYLON_DATABASE_URL: "postgres://x",
      PYLON_ADMIN_EMAIL: "a@b.co",
    });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/PYLON_PORT/);
    expect(r.stderr).toMatch(/PYLON_DATABASE_URL/);
    expect(r.stderr).toMatch(/PYLON_ADMIN_EMAIL and PYLON_ADMIN_PASSWORD: set both or neither/);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});

describe("automation over HTTP", () => {
  it("signs in, creates a token, automates with it, and the audit log shows it", async () => {
    const cwd = scratch();
    const s = await start(cwd, ADMIN);
    const browser = new Client(s.url);
    await expect
      .poll(
        async () =>
          (
            await browser.call("POST", "/api/v1/auth/login", {
              email: ADMIN.PYLON_ADMIN_EMAIL,
              password: ADMIN.PYLON_ADMIN_PASSWORD,
            })
          ).status,
      )
      .toBe(200);
    const created = await browser.call("POST", "/api/v1/tokens", { name: "cli", scopes: ["admin"] });
    expect(created.status).toBe(201);
    const cli = new Client(s.url, created.json.secret);
    const user = await cli.call("POST", "/api/v1/users", {
      email: "ops@example.com",
      name: "Ops",
      role: "operator",
      password: "operator password",
    });
    expect(user.status).toBe(201);
    expect(user.headers.get("x-request-id")).toBeTruthy();
    const audit = await cli.call("GET", "/api/v1/audit?action=users.create");
    expect(audit.json.items[0]).toMatchObject({
      actorType: "token",
      target: user.json.id,
      result: "success",
    });
    expect(s.output()).not.toContain(created.json.secret);
    const spec = await cli.call("GET", "/api/v1/openapi.json");
    expect(Object.keys(spec.json.paths)).toContain("/api/v1/tokens");
    const docs = await fetch(`${s.url}/api/docs`);
    expect(await docs.text()).toContain("swagger-ui-bundle.js");
    expect((await fetch(`${s.url}/api-docs/swagger-ui-bundle.js`)).status).toBe(200);
    expect((await fetch(`${s.url}/`)).headers.get("content-type")).toMatch(/text\/html/);
    expect((await fetch(`${s.url}/some/client/route`)).status).toBe(200);
  });

  it("two processes on one database serve the same state", async () => {
    const cwd = scratch();
    const a = await start(cwd, ADMIN);
    const b = await start(cwd, ADMIN);
    const ca = new Client(a.url);
    await expect
      .poll(
        async () =>
          (
            await ca.call("POST", "/api/v1/auth/login", {
              email: ADMIN.PYLON_ADMIN_EMAIL,
              password: ADMIN.PYLON_ADMIN_PASSWORD,
            })
          ).status,
      )
      .toBe(200);
    const tok = (await ca.call("POST", "/api/v1/tokens", { name: "shared", scopes: ["read"] })).json;
    const cb = new Client(b.url, tok.secret);
    expect((await cb.call("GET", "/api/v1/auth/me")).status).toBe(200);
    // The browser's session cookie works on the other process too.
    const onA = new Client(a.url, tok.secret);
    const cachedAt = Date.now();
    expect((await onA.call("GET", "/api/v1/auth/me")).status).toBe(200); // now cached on A
    const crossed = new Client(b.url);
    crossed.cookies = ca.cookies;
    crossed.csrf = ca.csrf;
    expect((await crossed.call("DELETE", `/api/v1/tokens/${tok.token.id}`)).status).toBe(204);
    expect((await cb.call("GET", "/api/v1/auth/me")).status).toBe(401);
    // A hears of the revocation through the change feed, before its cache entry would expire
    // by itself (AUTH_CACHE_MS, 2 s after it was cached).
    await expect
      .poll(async () => (await onA.call("GET", "/api/v1/auth/me")).status, { timeout: 2000, interval: 20 })
      .toBe(401);
    expect(Date.now() - cachedAt).toBeLessThan(AUTH_CACHE_MS);
    // Throttling state is shared: failures on A lock the account on B.
    for (let i = 0; i < 5; i++)
      await ca.call("POST", "/api/v1/auth/login", { email: "ops@nowhere.test", password: "wrong wrong" });
    expect(
      (
        await new Client(b.url).call("POST", "/api/v1/auth/login", {
          email: "ops@nowhere.test",
          password: "x",
        })
      ).status,
    ).toBe(429);
  });

  it("stops cleanly on SIGTERM", async () => {
    const cwd = scratch();
    const s = await start(cwd, ADMIN);
    expect(await s.stop("SIGTERM")).toBe(0);
  });
});
