// The whole thing as a user runs it: the built control plane and agent bundle as real
// processes, the Proxmox simulator, and optionally a flaky TCP proxy on the agent's link.
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { writeFileSync } from "node:fs";
import { request } from "node:https";
import { join } from "node:path";
import { promisify } from "node:util";
import { type Sim, startSimulator } from "@pylon/pve-sim";
import { Client, ROOT, type RunningServer, startServer } from "./server.ts";

const run = promisify(execFile);
export const AGENT_ENTRY = join(ROOT, "packages/agent/dist/agent.mjs");
export const ADMIN = { PYLON_ADMIN_EMAIL: "admin@example.com", PYLON_ADMIN_PASSWORD: "admin password 123" };

export interface AgentProcess {
  child: ChildProcess;
  output: () => string;
  stop: (signal?: NodeJS.Signals) => Promise<number | null>;
}

/** Signs in as the bootstrap admin and returns an API client with an admin token. */
export async function adminClient(url: string): Promise<Client> {
  const browser = new Client(url);
  for (let i = 0; i < 200; i++) {
    const r = await browser.call("POST", "/api/v1/auth/login", {
      email: ADMIN.PYLON_ADMIN_EMAIL,
      password: ADMIN.PYLON_ADMIN_PASSWORD,
    });
    if (r.status === 200) break;
    await new Promise((res) => setTimeout(res, 50));
  }
  const tok = await browser.call("POST", "/api/v1/tokens", { name: "stack", scopes: ["admin"] });
  if (tok.status !== 201) throw new Error(`cannot create a token: ${tok.status}`);
  return new Client(url, tok.json.secret);
}

/** Starts the simulator with tasks fast but not instant (so jobs can be cut mid-way). */
export function simulator(clockScale = 0.05): Promise<Sim> {
  return startSimulator({ clockScale, auth401DelayMs: 0 });
}

/** Writes the agent's files and enrolls it with the control plane at `cpUrl` (as the installer does). */
export async function enrollAgent(dir: string, cpUrl: string, token: string, sim: Sim): Promise<string> {
  const config = join(dir, "agent.json");
  writeFileSync(join(dir, "pve-token"), `${sim.token.secret}\n`, { mode: 0o600 });
  await run(process.execPath, [
    AGENT_ENTRY,
    "enroll",
    "--url",
    cpUrl,
    "--token",
    token,
    "--config",
    config,
    "--node-name",
    sim.node,
    "--pve-url",
    sim.apiUrl.replace(/\/api2\/json$/, ""),
    "--pve-token-id",
    sim.token.tokenId,
    "--pve-token-secret-file",
    join(dir, "pve-token"),
    "--pve-ca-file",
    sim.caCertPath,
  ]);
  return config;
}

/** Runs the agent daemon (the bundle) with `pct` of the simulator on its PATH. */
export function startAgent(
  config: string,
  stateDir: string,
  sim: Sim,
  env: Record<string, string> = {},
): AgentProcess {
  const child = spawn(process.execPath, [AGENT_ENTRY, "run", "--config", config], {
    env: {
      PATH: `${sim.pctBinDir}:${process.env.PATH ?? ""}`,
      ...sim.env,
      PYLON_AGENT_STATE_DIR: stateDir,
      PYLON_AGENT_LOG_LEVEL: "debug",
      ...env,
    },
    stdio: "pipe",
  });
  let out = "";
  child.stdout?.on("data", (d) => (out += d));
  child.stderr?.on("data", (d) => (out += d));
  return {
    child,
    output: () => out,
    stop: async (signal = "SIGTERM") => {
      if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
      child.kill(signal);
      const timer = setTimeout(() => child.kill("SIGKILL"), 8000);
      const code = await new Promise<number | null>((r) => child.once("exit", (c) => r(c)));
      clearTimeout(timer);
      return code;
    },
  };
}

/** Starts the control plane with fast agent heartbeats. */
export function controlPlane(cwd: string, env: Record<string, string> = {}): Promise<RunningServer> {
  return startServer(cwd, { ...ADMIN, PYLON_AGENT_HEARTBEAT_MS: "500", PYLON_LOG_REQUESTS: "false", ...env });
}

/** Polls until `fn` returns a truthy value or the timeout passes. */
export async function until<T>(
  fn: () => Promise<T>,
  timeoutMs = 15_000,
  what = "condition",
): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await fn();
    if (v) return v as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

/** Calls the simulator's PVE API as root (form-encoded), for test set-up and checks. */
export function pve(
  sim: Sim,
  method: string,
  path: string,
  params: Record<string, string | number> = {},
): Promise<unknown> {
  const body = new URLSearchParams(Object.entries(params).map(([k, v]) => [k, String(v)])).toString();
  const url = new URL(`${sim.apiUrl}${path}${method === "GET" && body ? `?${body}` : ""}`);
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        method,
        ca: sim.caCertPem,
        headers: {
          authorization: sim.token.header,
          ...(method !== "GET" ? { "content-type": "application/x-www-form-urlencoded" } : {}),
        },
      },
      (res) => {
        let text = "";
        res.on("data", (d) => (text += d));
        res.on("end", () => {
          if ((res.statusCode ?? 500) >= 400) reject(new Error(`${res.statusCode} ${res.statusMessage}`));
          else resolve((JSON.parse(text) as { data: unknown }).data);
        });
      },
    );
    req.on("error", reject);
    if (method !== "GET") req.end(body);
    else req.end();
  });
}

/** Creates a stopped CT in the simulator and waits for its create task. */
export async function createCt(sim: Sim, vmid: number): Promise<void> {
  const templates = (await pve(sim, "GET", `/nodes/${sim.node}/storage/local/content`, {
    content: "vztmpl",
  })) as { volid: string }[];
  const upid = (await pve(sim, "POST", `/nodes/${sim.node}/lxc`, {
    vmid,
    ostemplate: templates[0]!.volid,
    hostname: `ct${vmid}`,
    rootfs: "local-lvm:2",
    unprivileged: 1,
  })) as string;
  await until(
    async () => {
      const st = (await pve(sim, "GET", `/nodes/${sim.node}/tasks/${encodeURIComponent(upid)}/status`)) as {
        status: string;
      };
      return st.status === "stopped";
    },
    15_000,
    "CT create",
  );
}

const FINAL_STATUSES = ["succeeded", "failed", "cancelled", "lost"];

/** Waits until a job reaches a final status and returns it. */
export function jobFinished(api: Client, id: string, timeoutMs = 30_000) {
  return until(
    async () => {
      const j = (await api.call("GET", `/api/v1/jobs/${id}`)).json;
      return FINAL_STATUSES.includes(j?.status) ? j : null;
    },
    timeoutMs,
    `job ${id} to finish`,
  );
}
