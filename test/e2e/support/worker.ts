// The control plane as a Cloudflare Worker, run locally in workerd by `wrangler dev --local` (no
// account, no network): the real Worker entry, its NodeHub Durable Objects, the UI as assets.
// Bindings come from an env file (mode 0600) so no secret appears in a process listing.
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { createWriteStream, existsSync, statSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { freePort, ROOT, type RunningServer } from "./server.ts";

export const WRANGLER = join(ROOT, "packages/control-plane/node_modules/.bin/wrangler");
export const WRANGLER_CONFIG = join(ROOT, "packages/control-plane/wrangler.toml");

const ASSETS_SCRIPT = join(ROOT, "packages/control-plane/scripts/worker-assets.mjs");
const SERVED_AGENT = join(ROOT, "packages/control-plane/dist/worker-assets/_pylon/agent.mjs");
const BUILT = [join(ROOT, "packages/agent/dist/agent.mjs"), join(ROOT, "packages/ui/dist/index.html")];

/** Assembles the Worker's assets (UI, installer, agent bundle) unless they are newer than both builds. */
function workerAssets(): void {
  const assembled = existsSync(SERVED_AGENT) ? statSync(SERVED_AGENT).mtimeMs : 0;
  if (BUILT.every((f) => existsSync(f) && statSync(f).mtimeMs <= assembled)) return;
  execFileSync(process.execPath, [ASSETS_SCRIPT], { stdio: "inherit" });
}

/** Stops a process group we started (wrangler and its workerd) by its leader's PID. */
function killGroup(child: ChildProcess, signal: NodeJS.Signals): void {
  try {
    if (child.pid) process.kill(-child.pid, signal);
  } catch {
    // Already gone.
  }
}

/**
 * Starts the Worker in workerd with `env` as its bindings (vars and secrets) and waits until
 * `/readyz` answers 200 through it. `dir` holds the env file and workerd's local state. `port`:
 * where it listens (default: a free port); `log`: a file that gets its output too.
 */
export async function startWorker(
  dir: string,
  env: Record<string, string>,
  opts: { port?: number; log?: string } = {},
): Promise<RunningServer> {
  const started = performance.now();
  workerAssets();
  const [port, inspector] = [opts.port ?? (await freePort()), await freePort()];
  const envFile = join(dir, "worker.env");
  writeFileSync(
    envFile,
    Object.entries(env)
      .map(([k, v]) => `${k}=${JSON.stringify(v)}\n`)
      .join(""),
    {
      mode: 0o600,
    },
  );
  const child = spawn(
    WRANGLER,
    [
      "dev",
      "--config",
      WRANGLER_CONFIG,
      "--local",
      "--ip",
      "127.0.0.1",
      "--port",
      String(port),
      "--inspector-port",
      String(inspector),
      "--persist-to",
      join(dir, "state"),
      "--env-file",
      envFile,
      "--test-scheduled",
      "--show-interactive-dev-session=false",
    ],
    {
      cwd: dir,
      detached: true,
      env: {
        PATH: process.env.PATH ?? "",
        HOME: dir,
        XDG_CONFIG_HOME: join(dir, "xdg"),
        WRANGLER_SEND_METRICS: "false",
        CLOUDFLARE_CF_FETCH_ENABLED: "false",
        WRANGLER_LOG_PATH: join(dir, "wrangler-logs"),
        CI: "true",
      },
      stdio: ["ignore", "pipe", "pipe"],
    },
  );
  let out = "";
  const log = opts.log ? createWriteStream(opts.log) : undefined;
  for (const stream of [child.stdout, child.stderr])
    stream?.on("data", (d) => {
      out += d;
      log?.write(d);
    });
  const exited = new Promise<void>((r) => child.once("exit", () => r()));
  const stop = async (signal: NodeJS.Signals = "SIGTERM") => {
    if (child.exitCode === null && child.signalCode === null) {
      killGroup(child, signal);
      const timer = setTimeout(() => killGroup(child, "SIGKILL"), 8000);
      await exited;
      clearTimeout(timer);
    }
    // workerd may outlive wrangler for a moment: the group is ended either way.
    killGroup(child, "SIGKILL");
    return child.exitCode;
  };
  const url = `http://127.0.0.1:${port}`;
  try {
    const deadline = performance.now() + 120_000;
    for (;;) {
      const res = await fetch(`${url}/readyz`).catch(() => null);
      if (res?.ok) break;
      if (child.exitCode !== null || child.signalCode !== null)
        throw new Error(`wrangler dev exited:\n${out}`);
      if (performance.now() > deadline) throw new Error(`the Worker was not ready within 120 s:\n${out}`);
      await new Promise((r) => setTimeout(r, 100));
    }
  } catch (err) {
    await stop("SIGKILL");
    throw err;
  }
  return { url, port, pid: child.pid!, output: () => out, startMs: performance.now() - started, stop };
}
