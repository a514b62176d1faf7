// The Node control plane on a remote libSQL database, as behind a load balancer: two built server
// processes with their own working directories (nothing shared but the database URL and the
// secret key), a libSQL server process (test/libsql-server) as the database, `pnpm db:migrate`
// against it, and a scripted agent on the real link.
import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, readdirSync, readFileSync } from "node:fs";
import { get as httpGet } from "node:http";
import { join } from "node:path";
import { promisify } from "node:util";
import { type LibsqlServerProcess, spawnLibsqlServer } from "@pylon/libsql-server";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type AppStack, startAppStack } from "./support/app-stack.ts";
import { FakeAgent } from "./support/fake-agent.ts";
import { Client, ROOT, type RunningServer, runToExit, scratchDir, startServer } from "./support/server.ts";
import { ADMIN, jobFinished } from "./support/stack.ts";

const run = promisify(execFile);
const TOKEN = randomBytes(18).toString("base64url");
const journal = JSON.parse(readFileSync(join(ROOT, "migrations/meta/_journal.json"), "utf8")) as {
  entries: unknown[];
};

const dirs: ReturnType<typeof scratchDir>[] = [];
const scratch = () => {
  const d = scratchDir();
  dirs.push(d);
  return d.dir;
};
let libsql: LibsqlServerProcess;
let env: Record<string, string>;
let a: RunningServer | undefined;
let b: RunningServer | undefined;
let stack: AppStack | undefined;
const agents: FakeAgent[] = [];

beforeAll(async () => {
  libsql = await spawnLibsqlServer({ dbPath: join(scratch(), "remote.db"), authToken: TOKEN });
  env = {
    ...ADMIN,
    PYLON_DATABASE_URL: libsql.url,
    PYLON_DATABASE_AUTH_TOKEN: TOKEN,
    PYLON_SECRET_KEY: randomBytes(32).toString("base64url"),
    PYLON_AGENT_HEARTBEAT_MS: "400",
    PYLON_LOG_REQUESTS: "false",
  };
}, 60_000);

afterAll(async () => {
  for (const ag of agents) ag.close();
  await Promise.all([a?.stop(), b?.stop(), stack?.stop()]);
  await libsql?.stop();
  for (const d of dirs) d.cleanup();
});

/** Signs in as the admin once a process has created it (hashing its password takes a while). */
async function signIn(url: string): Promise<Client> {
  const browser = new Client(url);
  await expect
    .poll(async () => (await browser.call("GET", "/api/v1/setup")).json.needed, { timeout: 30_000 })
    .toBe(false);
  const login = await browser.call("POST", "/api/v1/auth/login", {
    email: ADMIN.PYLON_ADMIN_EMAIL,
    password: ADMIN.PYLON_ADMIN_PASSWORD,
  });
  expect(login.status).toBe(200);
  return browser;
}

/**
 * Reads a Server-Sent Events stream to its end on a connection of its own, as a browser's
 * EventSource does. (fetch would reuse the connection of the POST just before it, which
 * @hono/node-server closes when that POST's unread body is not drained within 500 ms, as happens
 * on this loaded machine.)
 */
function liveView(url: string, browser: Client): Promise<string> {
  const cookie = [...browser.cookies].map(([k, v]) => `${k}=${v}`).join("; ");
  return new Promise((resolve, reject) => {
    const req = httpGet(url, { agent: false, headers: { cookie, accept: "text/event-stream" } }, (res) => {
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (d: string) => (text += d));
      res.on("end", () => resolve(text));
      res.on("error", reject);
    });
    req.on("error", reject);
  });
}

/** `pnpm db:migrate` from the repository root, as a user runs it. */
function dbMigrate(extra: Record<string, string>) {
  return run("pnpm", ["--silent", "db:migrate"], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", ...extra },
  }).then(
    (r) => ({ code: 0, stdout: r.stdout, stderr: r.stderr }),
    (e: { code: number; stdout: string; stderr: string }) => e,
  );
}

describe("two Node processes on one remote database", () => {
  it("start at once on a fresh database and say they are Node", async () => {
    [a, b] = await Promise.all([startServer(scratch(), env), startServer(scratch(), env)]);
    for (const s of [a, b]) {
      expect(await (await fetch(`${s.url}/healthz`)).json()).toMatchObject({ status: "ok", runtime: "node" });
      expect((await fetch(`${s.url}/readyz`)).status).toBe(200);
    }
  });

  it("share sessions: signed in on one, the other serves and protects the same session", async () => {
    const onA = await signIn(a!.url);
    const onB = new Client(b!.url);
    onB.cookies = new Map(onA.cookies);
    onB.csrf = onA.csrf;
    expect((await onB.call("GET", "/api/v1/auth/me")).json.user.email).toBe(ADMIN.PYLON_ADMIN_EMAIL);
    // A write on B with the CSRF token A issued: both processes hold the same key.
    const token = await onB.call("POST", "/api/v1/tokens", { name: "from-b", scopes: ["read"] });
    expect(token.status).toBe(201);
    expect((await new Client(a!.url, token.json.secret).call("GET", "/api/v1/auth/me")).status).toBe(200);
    // Signing out on B ends the session on A too.
    expect((await onB.call("POST", "/api/v1/auth/logout")).status).toBe(204);
    expect((await onA.call("GET", "/api/v1/auth/me")).status).toBe(401);
  });

  it("dispatch a job created through one to the agent held by the other, and stream its events", async () => {
    const admin = await signIn(a!.url);
    const created = await admin.call("POST", "/api/v1/nodes", { name: "pve-remote" });
    expect(created.status).toBe(201);
    const enrolled = await fetch(`${a!.url}/agent/v1/enroll`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        token: created.json.enrollment.token,
        agentVersion: "test",
        nodeName: "pve-remote",
        pveVersion: "8.4.5",
      }),
    });
    const { nodeId, credential } = (await enrolled.json()) as { nodeId: string; credential: string };
    const agent = await FakeAgent.connect(a!.url, credential);
    agents.push(agent);
    agent.hello();
    await agent.next("welcome", () => true, 20_000);

    const viaB = new Client(b!.url);
    viaB.cookies = new Map(admin.cookies);
    viaB.csrf = admin.csrf;
    await expect
      .poll(async () => (await viaB.call("GET", `/api/v1/nodes/${nodeId}`)).json.status, { timeout: 20_000 })
      .toBe("online");
    const job = (await viaB.call("POST", `/api/v1/nodes/${nodeId}/inventory`)).json;
    // A live view on B, opened before the agent has the job.
    const sse = liveView(`${b!.url}/api/v1/jobs/${job.id}/stream`, admin);
    const offer = await agent.next("offer", (f) => f.jobId === job.id, 20_000);
    expect(offer).toMatchObject({ kind: "node.inventory", attempt: 1 });
    agent.send({ type: "accept", jobId: job.id });

    agent.send({
      type: "event",
      jobId: job.id,
      seq: 1,
      at: Date.now(),
      event: { kind: "log", level: "info", message: "reading guests over a remote database" },
    });
    const inventory = {
      pveVersion: "8.4.5",
      node: { cpu: 0.1, cpus: 4, memTotal: 8e9, memUsed: 2e9, uptime: 100 },
      guests: [],
      storages: [],
      templates: [],
    };
    agent.send({
      type: "event",
      jobId: job.id,
      seq: 2,
      at: Date.now(),
      event: { kind: "result", status: "succeeded", result: inventory },
    });
    expect(await agent.next("ack", (f) => f.jobId === job.id && f.seq === 2, 20_000)).toBeTruthy();
    expect(await sse).toMatch(/reading guests over a remote database[\s\S]*^event: end$/m);
    expect((await viaB.call("GET", `/api/v1/jobs/${job.id}`)).json.status).toBe("succeeded");
  });

  it("keep nothing on their own disks and never log the database token", () => {
    for (const d of dirs.slice(1)) expect(readdirSync(d.dir)).toEqual([]);
    expect(a!.output() + b!.output() + libsql.output()).not.toContain(TOKEN);
  });
});

describe("a deploy on the remote database", () => {
  it("deploys a catalog app through a third process (real agent, simulator, Caddy) and every process sees it", async () => {
    stack = await startAppStack({
      env: {
        PYLON_DATABASE_URL: env.PYLON_DATABASE_URL!,
        PYLON_DATABASE_AUTH_TOKEN: TOKEN,
        PYLON_SECRET_KEY: env.PYLON_SECRET_KEY!,
      },
    });
    const res = await stack.api.call("POST", "/api/v1/apps", {
      name: "remote-web",
      source: { type: "catalog", catalogId: "nginx", parameters: {} },
      target: { nodeId: stack.nodeId, type: "lxc" },
    });
    expect(res.status, JSON.stringify(res.json)).toBe(202);
    const job = await jobFinished(stack.api, res.json.lastJobId, 90_000);
    expect(job.error ?? null).toBeNull();
    expect(job.status).toBe("succeeded");
    const onA = await new Client(a!.url, stack.api.bearer).call("GET", `/api/v1/apps/${res.json.id}`);
    expect(onA.json).toMatchObject({ status: "running", guest: { type: "lxc" } });
    const page = await stack.fetchApp("remote-web.apps.test");
    expect(page.status).toBe(200);
  }, 180_000);
});

describe("pnpm db:migrate", () => {
  it("applies migrations to a libSQL server URL and says so, without the credentials", async () => {
    const url = `${libsql.url.replace("http://", "libsql://")}?tls=0&authToken=${TOKEN}`;
    const res = await dbMigrate({ PYLON_DATABASE_URL: url });
    expect(res.code).toBe(0);
    expect(res.stdout.trim()).toBe(
      `${libsql.url.replace("http://", "libsql://")} is up to date: ${journal.entries.length} migrations applied`,
    );
    expect(res.stdout + res.stderr).not.toContain(TOKEN);
  });

  it("fails with the database's name and the cause on a wrong token", async () => {
    const res = await dbMigrate({ PYLON_DATABASE_URL: libsql.url, PYLON_DATABASE_AUTH_TOKEN: "wrong-token" });
    expect(res.code).toBe(1);
    expect(res.stderr).toContain(
      `pnpm db:migrate: cannot open the database at ${libsql.url}: SERVER_ERROR: Server returned HTTP status 401 (check PYLON_DATABASE_AUTH_TOKEN)`,
    );
    expect(res.stdout + res.stderr).not.toContain("wrong-token");
  });
});

describe("start-up checks", () => {
  it("refuses a libSQL server without PYLON_SECRET_KEY, naming the variable", async () => {
    const { PYLON_SECRET_KEY: _, ...noKey } = env;
    const res = await runToExit(scratch(), noKey, 60_000);
    expect(res.code).toBe(2);
    expect(res.stderr).toMatch(/PYLON_SECRET_KEY: must be set when PYLON_DATABASE_URL is a libSQL server/);
  });

  it("fails with the database's name, not the token, when the token is wrong", async () => {
    const cwd = scratch();
    const res = await runToExit(cwd, { ...env, PYLON_DATABASE_AUTH_TOKEN: "not-the-token" }, 60_000);
    expect(res.code).toBe(1);
    expect(res.stderr).toContain(`Pylon failed to start: cannot open the database at ${libsql.url}: `);
    expect(res.stderr).toMatch(/HTTP status 401 \(check PYLON_DATABASE_AUTH_TOKEN\)/);
    expect(res.stdout + res.stderr).not.toContain("not-the-token");
    expect(existsSync(join(cwd, "data"))).toBe(false);
  });
});
