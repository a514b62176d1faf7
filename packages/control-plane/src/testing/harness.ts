// Test harness: a real app on a real libSQL file, driven through app.request().
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Role, Scope } from "@pylon/shared";
import { eq } from "drizzle-orm";
import { createApp } from "../app.ts";
import { apps, type NodeRow, nodes } from "../db/schema/index.ts";
import type { AppDeps } from "../deps.ts";
import { ChangeBus } from "../hub/change-bus.ts";
import { newId } from "../lib/ids.ts";
import { silentLogger } from "../lib/logger.ts";
import { PasswordHasher } from "../lib/passwords.ts";
import { findMigrations, openDatabase } from "../runtime/database.ts";
import { createNode, enrollAgent } from "../services/nodes.ts";
import { createToken } from "../services/tokens.ts";
import { createUser } from "../services/users.ts";

// biome-ignore lint/suspicious/noExplicitAny: tests assert the shape of API answers at run time.
type Loose = any;

/** A Response whose JSON is loosely typed, for assertions. */
export interface TestResponse extends Response {
  json(): Promise<Loose>;
}

export const TEST_PASSWORD = "correct horse battery staple";

/**
 * Argon2 at 1/19 of the production memory and one pass: the same code path at a cost that keeps
 * hash-heavy suites fast on a loaded machine. lib/passwords.test.ts and the real-process tests
 * use the production cost.
 */
export const TEST_PASSWORD_COST = { m: 1024, t: 1, p: 1 };

/** A signed-in browser: its cookies and CSRF token. */
export interface Browser {
  cookie: string;
  csrf: string;
}

/** Builds a fresh app on a temporary database. Call `close()` in afterAll/afterEach. */
export async function makeHarness(overrides: Partial<AppDeps> = {}) {
  const dir = mkdtempSync(join(tmpdir(), "pylon-test-"));
  const { client, db } = await openDatabase({
    url: `file:${join(dir, "pylon.db")}`,
    migrationsDir: findMigrations(import.meta.dirname),
  });
  const clock = { now: Date.parse("2026-01-01T00:00:00Z") };
  const now = () => clock.now;
  const deps: AppDeps = {
    db,
    bus: new ChangeBus({ db, now, logger: silentLogger }),
    logger: silentLogger,
    now,
    secretKey: "test-secret-key-test-secret-key-0123456789",
    clientIp: (c) => c.req.header("x-test-ip") ?? "127.0.0.1",
    version: "test",
    passwords: new PasswordHasher({ cost: TEST_PASSWORD_COST, maxWaiting: 64 }),
    runtime: "node",
    ...overrides,
  };
  const app = createApp(deps);

  /** Sends a request; JSON bodies are encoded and typed for you. */
  async function call(
    method: string,
    path: string,
    opts: { body?: unknown; as?: Browser | string; headers?: Record<string, string> } = {},
  ): Promise<TestResponse> {
    const headers: Record<string, string> = { ...opts.headers };
    if (opts.body !== undefined) headers["content-type"] ??= "application/json";
    if (typeof opts.as === "string") headers.authorization = `Bearer ${opts.as}`;
    else if (opts.as) {
      headers.cookie = opts.as.cookie;
      headers["x-csrf-token"] ??= opts.as.csrf;
    }
    const body =
      opts.body === undefined
        ? undefined
        : typeof opts.body === "string"
          ? opts.body
          : JSON.stringify(opts.body);
    return (await app.request(path, { method, headers, body })) as TestResponse;
  }

  /** Creates a user directly (bypassing the API). */
  async function user(role: Role, email = `${role}-${Math.random().toString(36).slice(2, 8)}@example.com`) {
    return createUser(deps, { email, name: `${role} user`, role, password: TEST_PASSWORD });
  }

  /** Signs in through the API and returns the browser's cookies. */
  async function signIn(email: string, password = TEST_PASSWORD): Promise<Browser> {
    const res = await call("POST", "/api/v1/auth/login", { body: { email, password } });
    if (res.status !== 200) throw new Error(`sign-in failed: ${res.status} ${await res.text()}`);
    const cookies = res.headers.getSetCookie().map((c) => c.split(";")[0]);
    const body = (await res.json()) as { csrfToken: string };
    return { cookie: cookies.join("; "), csrf: body.csrfToken };
  }

  /** Creates a token for a user directly and returns its secret. */
  async function token(userRow: Awaited<ReturnType<typeof user>>, scopes: Scope[], expiresInDays?: number) {
    const { secret } = await createToken(
      deps,
      { kind: "session", user: userRow, sessionHash: "", csrfToken: "" },
      { name: `t-${scopes.join("-")}`, scopes, expiresInDays },
    );
    return secret;
  }

  /** A node with an enrolled agent (no socket), with optional inventory and metrics. */
  async function node(name = `pve-${Math.random().toString(36).slice(2, 8)}`, facts: Partial<NodeRow> = {}) {
    const { row, token } = await createNode(deps, { name });
    await enrollAgent(deps, { token, agentVersion: "test", nodeName: name, pveVersion: "8.4.5" });
    if (Object.keys(facts).length) await db.update(nodes).set(facts).where(eq(nodes.id, row.id));
    return row.id;
  }

  /** A running app on `nodeId`'s guest `vmid`, inserted directly (no deploy job). */
  async function appOn(
    nodeId: string,
    vmid: number,
    name = `app-${vmid}-${Math.random().toString(36).slice(2, 8)}`,
  ) {
    const id = newId("app");
    await db.insert(apps).values({
      id,
      name,
      nodeId,
      status: "running",
      guestType: "lxc",
      vmid,
      address: null,
      cores: 1,
      memoryMb: 512,
      diskGb: 4,
      storage: "local-lvm",
      bridge: "vmbr0",
      source: { type: "catalog", catalogId: "nginx", version: "1", parameters: {} },
      domain: `${name}.pylon.internal`,
      env: {},
      secretNames: [],
      secretsBox: "",
      webhookSecretBox: "",
      createdAt: clock.now,
      updatedAt: clock.now,
    });
    return id;
  }

  function close() {
    client.close();
    rmSync(dir, { recursive: true, force: true });
  }

  return { app, deps, db, clock, call, user, signIn, token, node, appOn, close };
}

export type Harness = Awaited<ReturnType<typeof makeHarness>>;
