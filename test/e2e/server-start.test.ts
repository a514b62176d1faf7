// The built server's start as a user (or their script) sees it: ready only when it is, its files
// on disk readable by its own user only.
import { chmodSync, existsSync, mkdirSync, statSync } from "node:fs";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import {
  freePort,
  type RunningServer,
  type SpawnedServer,
  scratchDir,
  spawnServer,
  startServer,
} from "./support/server.ts";

const ADMIN = { PYLON_ADMIN_EMAIL: "admin@example.com", PYLON_ADMIN_PASSWORD: "admin password 123" };

const stops: (() => Promise<unknown>)[] = [];
const dirs: (() => void)[] = [];
afterEach(async () => {
  await Promise.all(stops.splice(0).map((s) => s()));
  for (const d of dirs.splice(0)) d();
});

function scratch(): string {
  const s = scratchDir();
  dirs.push(s.cleanup);
  return s.dir;
}

function spawned(cwd: string, env: Record<string, string>): SpawnedServer {
  const s = spawnServer(cwd, env);
  stops.push(() => s.stop("SIGKILL"));
  return s;
}

async function started(cwd: string, env: Record<string, string> = {}): Promise<RunningServer> {
  const s = await startServer(cwd, env);
  stops.push(() => s.stop("SIGKILL"));
  return s;
}

const login = (url: string) =>
  fetch(`${url}/api/v1/auth/login`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ email: ADMIN.PYLON_ADMIN_EMAIL, password: ADMIN.PYLON_ADMIN_PASSWORD }),
  });

describe("readiness", () => {
  it("says ready only once the PYLON_ADMIN_* account exists: a sign-in at that instant works", async () => {
    const port = await freePort();
    const url = `http://127.0.0.1:${port}`;
    const s = spawned(scratch(), { ...ADMIN, PYLON_PORT: String(port) });
    const seen: number[] = [];
    let aliveWhileStarting = false;
    // From the first moment: refused connections, then 503 while the admin's password is hashed.
    for (;;) {
      if (s.child.exitCode !== null) throw new Error(`server exited:\n${s.output()}`);
      const res = await fetch(`${url}/readyz`).catch(() => null);
      if (res) seen.push(res.status);
      if (res?.status === 200) break;
      if (res?.status === 503) {
        const body = (await res.json()) as { error: { code: string; message: string } };
        expect(body.error).toMatchObject({ code: "unavailable", message: expect.stringMatching(/admin/) });
        aliveWhileStarting ||= (await fetch(`${url}/healthz`)).status === 200;
      }
      await new Promise((r) => setTimeout(r, 2));
    }
    const signIn = await login(url);
    expect(signIn.status).toBe(200);
    expect(seen.filter((st) => st !== 503 && st !== 200)).toEqual([]);
    // Seen on every run here (hashing takes far longer than one poll); /healthz stays liveness.
    if (seen.includes(503)) expect(aliveWhileStarting).toBe(true);
  });

  it("without PYLON_ADMIN_*, is ready once the setup link is printed", async () => {
    const s = await started(scratch());
    expect(s.output()).toMatch(/\/setup#token=/);
  });
});

/** The permission bits of a path. */
const mode = (path: string) => statSync(path).mode & 0o777;

describe("files on disk", () => {
  it("creates the data folder 0700 and the database, its WAL and SHM and secret.key 0600", async () => {
    const cwd = scratch();
    expect(process.umask()).toBe(0o022); // the usual umask: files would be 0644 without Pylon's own
    const s = await started(cwd, ADMIN);
    expect((await login(s.url)).status).toBe(200);
    const data = join(cwd, "data");
    expect(mode(data)).toBe(0o700);
    for (const f of ["pylon.db", "pylon.db-wal", "pylon.db-shm", "secret.key"]) {
      expect(existsSync(join(data, f)), f).toBe(true);
      expect(mode(join(data, f)), f).toBe(0o600);
    }
  });

  it("tightens an existing data folder and files made readable by others, before opening them", async () => {
    const cwd = scratch();
    const data = join(cwd, "data");
    const first = await started(cwd, ADMIN);
    await first.stop("SIGTERM");
    chmodSync(data, 0o755);
    for (const f of ["pylon.db", "secret.key"]) chmodSync(join(data, f), 0o644);
    // A WAL and SHM left by an older version (SQLite gives new ones the database file's mode).
    for (const f of ["pylon.db-wal", "pylon.db-shm"])
      if (existsSync(join(data, f))) chmodSync(join(data, f), 0o644);
    const again = await started(cwd, ADMIN);
    expect((await login(again.url)).status).toBe(200);
    expect(mode(data)).toBe(0o700);
    for (const f of ["pylon.db", "pylon.db-wal", "pylon.db-shm", "secret.key"])
      expect(mode(join(data, f)), f).toBe(0o600);
  });

  it("keeps a database elsewhere 0600 too, and tells rather than changes a shared folder", async () => {
    const cwd = scratch();
    const shared = join(cwd, "shared");
    mkdirSync(shared, { mode: 0o777 });
    chmodSync(shared, 0o1777); // like /tmp: sticky and writable by all
    const s = await started(cwd, { ...ADMIN, PYLON_DATABASE_URL: "file:./shared/pylon.db" });
    expect((await login(s.url)).status).toBe(200);
    expect(statSync(shared).mode & 0o7777).toBe(0o1777);
    expect(mode(join(shared, "pylon.db"))).toBe(0o600);
    expect(mode(join(shared, "secret.key"))).toBe(0o600);
    expect(s.output()).toMatch(/"msg":"the data folder can be read by other users/);
  });
});
