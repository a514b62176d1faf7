// `pnpm demo` as a new user runs it (simulator, control plane, agent, Caddy when installed), in
// its own data folder and on a free port, stopped with its whole process group at the end.
import { type ChildProcess, spawn } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Client, ROOT } from "../../support/server.ts";

export interface RunningDemo {
  url: string;
  email: string;
  password: string;
  /** What the demo printed (its banner). */
  output: () => string;
  /** An API client signed in as the demo admin (session cookie and CSRF token). */
  api: Client;
  stop: () => Promise<void>;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const port = (s.address() as { port: number }).port;
      s.close(() => resolve(port));
    });
  });
}

function exited(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((r) => child.once("exit", () => r()));
}

/** Starts the demo and waits for its banner; the built bundles must exist (`pnpm build`). */
export async function startDemo(): Promise<RunningDemo> {
  const dir = mkdtempSync(join(tmpdir(), "pylon-demo-"));
  const port = await freePort();
  const child = spawn(process.execPath, ["--import", "tsx", "scripts/demo.ts"], {
    cwd: ROOT,
    env: { ...process.env, PYLON_PORT: String(port), PYLON_DEMO_DIR: dir },
    stdio: ["ignore", "pipe", "pipe"],
    // Its own process group: the demo's children (simulator, control plane, agent, Caddy) go
    // with it even if it dies before stopping them.
    detached: true,
  });
  let out = "";
  child.stdout?.on("data", (d) => (out += d));
  child.stderr?.on("data", (d) => (out += d));
  const stop = async () => {
    if (child.pid && child.exitCode === null && child.signalCode === null) {
      child.kill("SIGTERM");
      const timer = setTimeout(() => {
        try {
          if (child.pid) process.kill(-child.pid, "SIGKILL");
        } catch {
          // Gone already.
        }
      }, 15_000);
      await exited(child);
      clearTimeout(timer);
    }
    try {
      // Anything of the group the demo left behind.
      if (child.pid) process.kill(-child.pid, "SIGKILL");
    } catch {
      // Nothing left.
    }
    rmSync(dir, { recursive: true, force: true });
  };
  try {
    const deadline = Date.now() + 120_000;
    while (!out.includes("Press Ctrl-C to stop.")) {
      if (child.exitCode !== null) throw new Error(`the demo exited with ${child.exitCode}:\n${out}`);
      if (Date.now() > deadline) throw new Error(`the demo did not come up in 120 s:\n${out}`);
      await new Promise((r) => setTimeout(r, 100));
    }
    const email = /Sign in\s+(\S+)/.exec(out)?.[1] ?? "";
    const password = /Password\s+(\S+)/.exec(out)?.[1] ?? "";
    const url = `http://127.0.0.1:${port}`;
    const api = new Client(url);
    const login = await api.call("POST", "/api/v1/auth/login", { email, password });
    if (login.status !== 200) throw new Error(`cannot sign in to the demo: ${login.status}`);
    return { url, email, password, output: () => out, api, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}
