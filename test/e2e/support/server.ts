// Starts the built Node server as a real process and stops it by PID.
import { type ChildProcess, spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { type AddressInfo, createServer as createNetServer } from "node:net";
import { tmpdir } from "node:os";
import { join, resolve } from "node:path";

export const ROOT = resolve(import.meta.dirname, "../../..");
export const SERVER_ENTRY = join(ROOT, "packages/control-plane/dist/node.mjs");

/**
 * The Node flags `pnpm start` runs the server with (read from the root package.json, so tests
 * and benchmarks run it as users do): a 2 MB young generation keeps idle memory low.
 */
export const SERVER_NODE_FLAGS: string[] = (() => {
  const pkg = JSON.parse(readFileSync(join(ROOT, "package.json"), "utf8")) as { scripts: { start: string } };
  const m = /\bnode ((?:--\S+ )*)packages\/control-plane\/dist\/node\.mjs/.exec(pkg.scripts.start);
  if (!m) throw new Error("the start script does not run packages/control-plane/dist/node.mjs with node");
  return (m[1] ?? "").trim().split(" ").filter(Boolean);
})();

export interface RunningServer {
  url: string;
  port: number;
  pid: number;
  output: () => string;
  /** Milliseconds from spawn until /readyz answered 200. */
  startMs: number;
  stop: (signal?: NodeJS.Signals) => Promise<number | null>;
}

/** A scratch directory removed by `cleanup`. */
export function scratchDir(): { dir: string; cleanup: () => void } {
  const dir = mkdtempSync(join(tmpdir(), "pylon-e2e-"));
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

function waitExit(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((r) => child.once("exit", (code) => r(code)));
}

/** Runs the server until it exits by itself (for start-up failures); SIGKILL after `timeoutMs`. */
export async function runToExit(
  cwd: string,
  env: Record<string, string>,
  timeoutMs = 10_000,
): Promise<{ code: number | null; stderr: string; stdout: string }> {
  const child = spawn(process.execPath, [...SERVER_NODE_FLAGS, SERVER_ENTRY], {
    cwd,
    env: { PATH: process.env.PATH ?? "", ...env },
    stdio: "pipe",
  });
  let stdout = "";
  let stderr = "";
  child.stdout.on("data", (d) => (stdout += d));
  child.stderr.on("data", (d) => (stderr += d));
  const timer = setTimeout(() => child.kill("SIGKILL"), timeoutMs);
  const code = await waitExit(child);
  clearTimeout(timer);
  return { code, stdout, stderr };
}

/** A port that was free a moment ago (for a test that must know it before the server listens). */
export function freePort(): Promise<number> {
  return new Promise((resolvePort, reject) => {
    const probe = createNetServer();
    probe.once("error", reject);
    probe.listen(0, "127.0.0.1", () => {
      const { port } = probe.address() as AddressInfo;
      probe.close(() => resolvePort(port));
    });
  });
}

/** A server process as spawned, before anything is known about it. */
export interface SpawnedServer {
  child: ChildProcess;
  output: () => string;
  stop: (signal?: NodeJS.Signals) => Promise<number | null>;
}

/** Spawns the built server in `cwd` (port 0 unless `env` names one) without waiting for it. */
export function spawnServer(cwd: string, env: Record<string, string> = {}): SpawnedServer {
  if (!existsSync(SERVER_ENTRY)) throw new Error(`${SERVER_ENTRY} is missing: run 'pnpm build' first`);
  const child = spawn(process.execPath, [...SERVER_NODE_FLAGS, SERVER_ENTRY], {
    cwd,
    env: { PATH: process.env.PATH ?? "", PYLON_PORT: "0", ...env },
    stdio: "pipe",
  });
  let out = "";
  child.stdout.on("data", (d) => (out += d));
  child.stderr.on("data", (d) => (out += d));
  const stop = async (signal: NodeJS.Signals = "SIGTERM") => {
    if (child.exitCode === null && child.signalCode === null) child.kill(signal);
    const timer = setTimeout(() => child.kill("SIGKILL"), 8000);
    const code = await waitExit(child);
    clearTimeout(timer);
    return code;
  };
  return { child, output: () => out, stop };
}

/** Starts the server on a free port in `cwd` and waits until `/readyz` says it is ready. */
export async function startServer(cwd: string, env: Record<string, string> = {}): Promise<RunningServer> {
  const started = performance.now();
  const { child, output, stop } = spawnServer(cwd, env);
  try {
    const port = await new Promise<number>((resolvePort, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`server did not listen within 30 s:\n${output()}`)),
        30_000,
      );
      const check = () => {
        const m = /"msg":"Pylon is listening".*?"port":(\d+)/.exec(output());
        if (m) {
          clearTimeout(timer);
          resolvePort(Number(m[1]));
        }
      };
      child.stdout?.on("data", check);
      child.once("exit", (code) => reject(new Error(`server exited with ${code}:\n${output()}`)));
    });
    const url = `http://127.0.0.1:${port}`;
    // Ready, not only alive: the first admin (PYLON_ADMIN_*) or the setup link exists by then.
    const deadline = performance.now() + 30_000;
    for (;;) {
      const res = await fetch(`${url}/readyz`).catch(() => null);
      if (res?.ok) break;
      if (child.exitCode !== null || child.signalCode !== null)
        throw new Error(`server exited before it was ready:\n${output()}`);
      if (performance.now() > deadline) throw new Error(`server not ready within 30 s:\n${output()}`);
      await new Promise((r) => setTimeout(r, 5));
    }
    return { url, port, pid: child.pid!, output, startMs: performance.now() - started, stop };
  } catch (err) {
    await stop("SIGKILL");
    throw err;
  }
}

// biome-ignore lint/suspicious/noExplicitAny: tests assert the shape of API answers at run time.
type Loose = any;

/** A minimal API client with a cookie jar and the CSRF header, like a browser. */
export class Client {
  cookies = new Map<string, string>();
  csrf = "";
  constructor(
    readonly base: string,
    readonly bearer?: string,
  ) {}

  async call(
    method: string,
    path: string,
    body?: unknown,
  ): Promise<{ status: number; headers: Headers; json: Loose }> {
    const headers: Record<string, string> = {};
    if (body !== undefined) headers["content-type"] = "application/json";
    if (this.bearer) headers.authorization = `Bearer ${this.bearer}`;
    if (this.cookies.size) headers.cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join("; ");
    if (this.csrf && method !== "GET") headers["x-csrf-token"] = this.csrf;
    const raw = await fetch(this.base + path, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    for (const c of raw.headers.getSetCookie()) {
      const [pair] = c.split(";");
      const [k, v] = (pair ?? "").split("=");
      if (k)
        if (v) this.cookies.set(k, v);
        else this.cookies.delete(k);
    }
    const text = await raw.text();
    const json = text && raw.headers.get("content-type")?.includes("json") ? JSON.parse(text) : null;
    if (json?.csrfToken) this.csrf = json.csrfToken;
    return { status: raw.status, headers: raw.headers, json };
  }
}
