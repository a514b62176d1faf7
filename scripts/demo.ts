// `pnpm demo`: Pylon with a simulated Proxmox VE node, for trying everything without a host.
// Starts the Proxmox simulator, the control plane (its own database under ./data/demo, or
// PYLON_DEMO_DIR, reset on every run) and an agent enrolled with it, then prints where to sign
// in. Ctrl-C stops all three. `pnpm demo --worker`: the control plane runs as a Cloudflare Worker
// in workerd instead (scripts/demo-worker.ts), on a libSQL server.
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { createWriteStream, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { promisify } from "node:util";
import { startSimulator } from "@pylon/pve-sim";
import { caddyInstalled, startCaddy, type TestCaddy } from "../packages/agent/src/routes/testing.ts";
import { startWorkerDemo } from "./demo-worker.ts";

const run = promisify(execFile);
const root = resolve(import.meta.dirname, "..");
const dataDir = resolve(root, process.env.PYLON_DEMO_DIR ?? "data/demo");
const port = Number(process.env.PYLON_PORT ?? 8787);
const base = `http://127.0.0.1:${port}`;
const email = "demo@pylon.local";
/** Where the logs are, as the user would type it. */
const logsDir = dataDir.startsWith(`${root}/`) ? dataDir.slice(root.length + 1) : dataDir;
const password = `demo-${randomBytes(6).toString("hex")}`;
const onWorkers = process.argv.includes("--worker");

/** The control plane: the built Node server, or the Worker in workerd (`--worker`). */
async function startControlPlane(env: Record<string, string>, onExit: (code: number | null) => void) {
  const log = join(dataDir, "control-plane.log");
  if (onWorkers) {
    mkdirSync(join(dataDir, "worker"), { recursive: true });
    return startWorkerDemo({ root, dataDir, port, env, log });
  }
  const cp = spawnLogged(
    [join(root, "packages/control-plane/dist/node.mjs")],
    {
      ...process.env,
      PYLON_PORT: String(port),
      PYLON_DATABASE_URL: `file:${join(dataDir, "pylon.db")}`,
      ...env,
    },
    log,
  );
  cp.on("exit", onExit);
  return {
    stop: async () => {
      cp.kill("SIGTERM");
    },
  };
}

function spawnLogged(args: string[], env: NodeJS.ProcessEnv, log: string): ChildProcess {
  const child = spawn(process.execPath, args, { env, stdio: ["ignore", "pipe", "pipe"] });
  const out = createWriteStream(log);
  child.stdout?.pipe(out);
  child.stderr?.pipe(out);
  return child;
}

async function api(path: string, init: RequestInit & { cookie?: string; csrf?: string } = {}) {
  const headers: Record<string, string> = { "content-type": "application/json" };
  if (init.cookie) headers.cookie = init.cookie;
  if (init.csrf) headers["x-csrf-token"] = init.csrf;
  return fetch(`${base}${path}`, { ...init, headers });
}

async function main() {
  rmSync(dataDir, { recursive: true, force: true });
  mkdirSync(join(dataDir, "agent"), { recursive: true });
  // Beside local and local-lvm, a Proxmox Backup Server storage to back apps up to.
  const sim = await startSimulator({
    clockScale: 0.25,
    auth401DelayMs: 0,
    storages: [{ id: "pbs", type: "pbs", totalGb: 500 }],
  });
  // Apps are routed by a Caddy of the demo's own (Debian's caddy binary, own ports and CA):
  // https://<app>.localhost:<port> (browsers resolve *.localhost to this machine).
  const caddy: TestCaddy | undefined = caddyInstalled() ? await startCaddy() : undefined;
  let agent: ChildProcess | undefined;
  let cp: { stop: () => Promise<void> } | undefined;
  const stop = async () => {
    agent?.kill("SIGTERM");
    await cp?.stop();
    await sim.stop();
    await caddy?.stop();
    process.exit(0);
  };
  process.on("SIGINT", () => void stop());
  process.on("SIGTERM", () => void stop());
  cp = await startControlPlane(
    {
      PYLON_ADMIN_EMAIL: email,
      PYLON_ADMIN_PASSWORD: password,
      PYLON_ADMIN_NAME: "Demo admin",
      PYLON_APPS_DOMAIN: "localhost",
      ...(caddy ? { PYLON_APPS_HTTPS_PORT: String(caddy.httpsPort) } : {}),
    },
    (code) => {
      console.error(`the control plane stopped (exit ${code}); see ${join(dataDir, "control-plane.log")}`);
      void stop();
    },
  );

  let cookie = "";
  for (let i = 0; i < 200 && !cookie; i++) {
    const res = await api("/api/v1/auth/login", {
      method: "POST",
      body: JSON.stringify({ email, password }),
    }).catch(() => null);
    if (res?.ok)
      cookie = res.headers
        .getSetCookie()
        .map((c) => c.split(";")[0])
        .join("; ");
    else await new Promise((r) => setTimeout(r, 100));
  }
  if (!cookie) throw new Error(`the control plane did not come up; see ${logsDir}/control-plane.log`);
  const csrf = /pylon_csrf=([^;]+)/.exec(cookie)?.[1] ?? "";
  const created = (await (
    await api("/api/v1/nodes", {
      method: "POST",
      cookie,
      csrf,
      body: JSON.stringify({ name: "pve-sim", simulated: true }),
    })
  ).json()) as { enrollment: { token: string } };

  const agentDir = join(dataDir, "agent");
  writeFileSync(join(agentDir, "pve-token"), `${sim.token.secret}\n`, { mode: 0o600 });
  const agentEntry = join(root, "packages/agent/dist/agent.mjs");
  await run(process.execPath, [
    agentEntry,
    "enroll",
    "--url",
    base,
    "--token",
    created.enrollment.token,
    "--config",
    join(agentDir, "agent.json"),
    "--node-name",
    sim.node,
    "--pve-url",
    sim.apiUrl.replace(/\/api2\/json$/, ""),
    "--pve-token-id",
    sim.token.tokenId,
    "--pve-token-secret-file",
    join(agentDir, "pve-token"),
    "--pve-ca-file",
    sim.caCertPath,
  ]);
  agent = spawnLogged(
    [agentEntry, "run", "--config", join(agentDir, "agent.json")],
    {
      ...process.env,
      ...sim.env,
      PATH: `${sim.pctBinDir}:${process.env.PATH ?? ""}`,
      PYLON_AGENT_STATE_DIR: join(agentDir, "state"),
      PYLON_AGENT_PCT_PATH: join(sim.pctBinDir, "pct"),
      // The simulator's VMs run sshd on 2222 when 22 cannot be bound.
      PYLON_AGENT_SSH_PORTS: "22,2222",
      ...(caddy
        ? {
            PYLON_AGENT_CADDY_ADMIN_URL: caddy.adminUrl,
            PYLON_AGENT_HTTPS_PORT: String(caddy.httpsPort),
            PYLON_AGENT_HTTP_PORT: String(caddy.httpPort),
          }
        : {}),
    },
    join(dataDir, "agent.log"),
  );

  console.log(`
  Pylon demo is running with a SIMULATED Proxmox VE node ("pve-sim"): nothing real is touched.${
    onWorkers
      ? "\n  The control plane runs as a Cloudflare Worker in workerd (local, no account) on a libSQL server."
      : ""
  }

    Dashboard  ${base}
    Sign in    ${email}
    Password   ${password}
    API docs   ${base}/api/docs

  Apps   ${
    caddy
      ? `deployed apps are served at https://<name>.localhost:${caddy.httpsPort} (Caddy's own CA: accept the warning)`
      : "install Debian's caddy (apt install caddy) to have deployed apps routed by name"
  }
         they answer with a placeholder: the simulator stands in for Docker, so a catalog app's
         containers are a small placeholder web server, not the app's image (nothing is pulled);
         a Git app runs its own start command where the simulator can.

  Backups  open an app, Backups tab: "Back up now" (to local, or the simulated Backup Server "pbs"),
           then "Restore…" → "As a new app" gives a copy with its own name and address.

  Logs: ${logsDir}/control-plane.log, ${logsDir}/agent.log. Data is reset on every run.
  Press Ctrl-C to stop.
`);
}

main().catch((err) => {
  console.error(`demo failed: ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
