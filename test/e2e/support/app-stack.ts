// Everything a deploy touches, as a user runs it: the built control plane and agent bundle as
// real processes, the Proxmox simulator (guests with real processes, SSH for VMs) and a real
// Caddy the agent manages through its admin API. Apps are fetched through Caddy by name.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Sim, SimOptions, StorageSpec } from "@pylon/pve-sim";
import { startSimulator } from "@pylon/pve-sim";
import {
  caddyInstalled,
  type Fetched,
  httpsGet,
  startCaddy,
  type TestCaddy,
} from "../../../packages/agent/src/routes/testing.ts";
import { type FlakyProxy, startFlakyProxy } from "./flaky-proxy.ts";
import type { Client, RunningServer } from "./server.ts";
import { type AgentProcess, adminClient, controlPlane, enrollAgent, startAgent, until } from "./stack.ts";

export { caddyInstalled };

/** The apps' base domain in the stack: apps are served at https://<name>.apps.test:<caddy port>. */
export const APPS_DOMAIN = "apps.test";

export interface AppStack {
  sim: Sim;
  caddy: TestCaddy;
  server: RunningServer;
  /** An admin API client (token with the admin scope). */
  api: Client;
  agent: AgentProcess;
  nodeId: string;
  /** The proxy on the agent's link, with `linkProxy` (cut it to cut the link). */
  proxy?: FlakyProxy;
  /** GET https://<host><path> through Caddy, the name resolved to 127.0.0.1, Caddy's CA trusted. */
  fetchApp(host: string, path?: string): Promise<Fetched>;
  /** Stops the agent (SIGKILL: killed mid-job) and starts it again with the same config and state. */
  restartAgent(signal?: NodeJS.Signals): Promise<void>;
  /**
   * Stops the control plane (SIGTERM), awaits `whileDown`, and starts it again on the same port
   * with the same database (the agent reconnects by itself).
   */
  restartServer(whileDown?: () => Promise<void>): Promise<void>;
  /** Stops every process and removes every file the stack made. */
  stop(): Promise<void>;
}

export interface AppStackOptions {
  /** Simulator clock scale (default 0: zero-length Proxmox tasks). */
  clockScale?: number;
  /** A PEM CA file guests trust (for an HTTPS Git fixture). */
  guestCaFile?: string;
  /** Extra control plane environment. */
  env?: Record<string, string>;
  /** Extra agent environment. */
  agentEnv?: Record<string, string>;
  /** Puts a TCP proxy on the agent's link (`stack.proxy`), so a test can cut it. */
  linkProxy?: boolean;
  /** Starts the control plane (default: the built Node server) in `dir` with `env`. */
  startServer?: (dir: string, env: Record<string, string>) => Promise<RunningServer>;
  /** Further simulator options (host command costs, call log, PVE version…). */
  sim?: SimOptions;
  /** Simulator storages beside local and local-lvm (e.g. a Proxmox Backup Server). */
  storages?: StorageSpec[];
}

/** Starts the whole stack, enrolls the agent and waits until its node is online. */
export async function startAppStack(opts: AppStackOptions = {}): Promise<AppStack> {
  const dirs: string[] = [];
  const dir = () => {
    const d = mkdtempSync(join(tmpdir(), "pylon-app-stack-"));
    dirs.push(d);
    return d;
  };
  const parts: Partial<AppStack> = {};
  const stop = async () => {
    await parts.agent?.stop();
    await parts.proxy?.close();
    await parts.server?.stop();
    await Promise.all([parts.sim?.stop(), parts.caddy?.stop()]);
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  };
  try {
    const [sim, caddy] = await Promise.all([
      startSimulator({
        clockScale: opts.clockScale ?? 0,
        auth401DelayMs: 0,
        ...(opts.guestCaFile ? { guestCaFile: opts.guestCaFile } : {}),
        ...opts.sim,
        ...(opts.storages ? { storages: opts.storages } : {}),
      }),
      startCaddy(),
    ]);
    parts.sim = sim;
    parts.caddy = caddy;
    const serverDir = dir();
    const startServer = opts.startServer ?? controlPlane;
    const serverEnv = {
      PYLON_APPS_DOMAIN: APPS_DOMAIN,
      PYLON_APPS_HTTPS_PORT: String(caddy.httpsPort),
      ...opts.env,
    };
    const server = await startServer(serverDir, serverEnv);
    parts.server = server;
    const api = await adminClient(server.url);
    const created = await api.call("POST", "/api/v1/nodes", { name: sim.node });
    if (created.status !== 201) throw new Error(`cannot add the node: ${created.status}`);
    const nodeId: string = created.json.node.id;
    const agentDir = dir();
    if (opts.linkProxy) parts.proxy = await startFlakyProxy(server.port);
    const agentUrl = parts.proxy?.url ?? server.url;
    const config = await enrollAgent(agentDir, agentUrl, created.json.enrollment.token, sim);
    const agentEnv = {
      PYLON_AGENT_CADDY_ADMIN_URL: caddy.adminUrl,
      PYLON_AGENT_HTTPS_PORT: String(caddy.httpsPort),
      PYLON_AGENT_HTTP_PORT: String(caddy.httpPort),
      // The simulator's guests run sshd on 2222 when 22 cannot be bound (not root).
      PYLON_AGENT_SSH_PORTS: "22,2222",
      PYLON_AGENT_PCT_PATH: join(sim.pctBinDir, "pct"),
      // The agent fetches Git repositories on the host to plan them: trust the test Git server too.
      ...(opts.guestCaFile ? { GIT_SSL_CAINFO: opts.guestCaFile } : {}),
      ...opts.agentEnv,
    };
    const agent = startAgent(config, join(agentDir, "state"), sim, agentEnv);
    parts.agent = agent;
    await until(
      async () => {
        const n = (await api.call("GET", `/api/v1/nodes/${nodeId}`)).json;
        return n.status === "online" && n.inventory;
      },
      30_000,
      "the node to come online",
    );
    const stack: AppStack = {
      sim,
      caddy,
      server,
      api,
      agent,
      nodeId,
      ...(parts.proxy ? { proxy: parts.proxy } : {}),
      restartAgent: async (signal = "SIGKILL") => {
        await parts.agent?.stop(signal);
        parts.agent = startAgent(config, join(agentDir, "state"), sim, agentEnv);
        stack.agent = parts.agent;
      },
      restartServer: async (whileDown) => {
        const port = parts.server?.port;
        await parts.server?.stop();
        await whileDown?.();
        parts.server = await startServer(serverDir, { ...serverEnv, PYLON_PORT: String(port) });
        stack.server = parts.server;
      },
      fetchApp: async (host, path = "/") => httpsGet(host, caddy.httpsPort, await caddy.rootCa(), path),
      stop,
    };
    return stack;
  } catch (err) {
    await stop();
    throw err;
  }
}
