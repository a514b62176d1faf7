import { readFile } from "node:fs/promises";
import type { AgentConfig } from "../../config.ts";
import { TokenEngine } from "../../proxmox/engine.ts";
import { pveTlsFromConfig } from "../../proxmox/tls.ts";
import { CaddyRoutes } from "../../routes/caddy-routes.ts";
import type { CommandRunner } from "../../runners/types.ts";
import { parseStaticRange, type StaticRange } from "../../util/ip-range.ts";
import type { PveEngine } from "./pve-api.ts";
import type { Routes } from "./routes.ts";

/** A guest a runner is wanted for. */
export interface GuestRef {
  type: "lxc" | "qemu";
  vmid: number;
  address: string | null;
}

/** What the app job handlers need besides the JobContext; injected once at agent start. */
export interface AppJobDeps {
  /** Raw Proxmox requests (the agent's TokenEngine) for calls PveClient does not offer. */
  engine: PveEngine;
  routes: Routes;
  /** Agent state directory: the guests' SSH key pair and pinned host keys live under it. */
  stateDir: string;
  /** The cloud-init VM template cloned for VMs. */
  vmTemplateId: number;
  /** LXC templates are picked by this prefix in local:vztmpl (downloaded through aplinfo if missing). */
  lxcTemplatePrefix: string;
  lxcTemplateStorage: string;
  /** Where each app's files live inside its guest: <appsBase>/<name>. */
  appsBase: string;
  /** `pct` for PctRunner and the environment it runs with (tests point it at the simulator). */
  pctPath?: string;
  pctEnv?: NodeJS.ProcessEnv;
  /** `ip` on the host, for its neighbour table (tests point it at the simulator's). */
  ipPath?: string;
  /** cloud-init user of VMs; commands run through sudo when it is not root. */
  vmUser: string;
  /** Ports tried for a VM's sshd, in order. */
  sshPorts: number[];
  /** Static VM addresses given through cloud-init, instead of DHCP and the guest agent. */
  vmAddresses?: StaticRange;
  /** The storage (with `snippets` content) and its folder the VM template's cloud-init snippet goes to. */
  snippetsStorage: string;
  snippetsDir: string;
  addressTimeoutMs: number;
  /** First poll delay for Proxmox tasks. */
  taskPollMs: number;
  /** URL schemes a Git source may use (scp-like `user@host:path` counts as ssh:). */
  gitSchemes: string[];
  /** Extra environment for git on the host when planning (tests: a CA file for their Git server). */
  gitEnv?: NodeJS.ProcessEnv;
  /** Replaces the runner for a guest (tests wrap the real one to inject command failures). */
  wrapRunner?: (guest: GuestRef, runner: CommandRunner) => CommandRunner;
}

/** Defaults for everything but the engine, routes and state dir. */
export const APP_JOB_DEFAULTS = {
  vmTemplateId: 9000,
  lxcTemplatePrefix: "debian-12-standard",
  lxcTemplateStorage: "local",
  appsBase: "/opt/pylon",
  vmUser: "pylon",
  sshPorts: [22],
  addressTimeoutMs: 120_000,
  taskPollMs: 50,
  gitSchemes: ["https:", "ssh:"],
  snippetsStorage: "local",
  snippetsDir: "/var/lib/vz/snippets",
} satisfies Partial<AppJobDeps>;

let configured: AppJobDeps | undefined;

/** Installs the dependencies of the app.* handlers (called once by the agent at start). */
export function configureAppJobs(deps: AppJobDeps | undefined): void {
  configured = deps;
}

/** The configured dependencies, or an error the job reports. */
export function appJobDeps(): AppJobDeps {
  if (!configured)
    throw new Error("app jobs are not configured on this agent (configureAppJobs was not called at start)");
  return configured;
}

/** The dependencies for a real agent: its Proxmox token, Caddy's admin API and the `apps` config. */
export async function appJobDepsFromConfig(
  config: AgentConfig,
  overrides: Partial<AppJobDeps> = {},
): Promise<AppJobDeps> {
  const u = new URL(config.pve.url);
  const engine = new TokenEngine({
    origin: `https://${u.host}${u.port ? "" : ":8006"}`,
    tokenId: config.pve.tokenId,
    tokenSecret: (await readFile(config.pve.tokenSecretFile, "utf8")).trim(),
    tls: await pveTlsFromConfig(config.pve),
  });
  const a = config.apps;
  return {
    ...APP_JOB_DEFAULTS,
    engine,
    routes: new CaddyRoutes({
      adminUrl: a.caddyAdminUrl,
      httpsPort: a.httpsPort,
      httpPort: a.httpPort,
      ...(a.acmeEmail ? { acmeEmail: a.acmeEmail } : {}),
    }),
    stateDir: config.stateDir,
    vmTemplateId: a.vmTemplateId,
    vmUser: a.vmUser,
    lxcTemplatePrefix: a.lxcTemplatePrefix,
    lxcTemplateStorage: a.lxcTemplateStorage,
    appsBase: a.appsBase,
    sshPorts: a.sshPorts,
    ...(a.vmAddresses ? { vmAddresses: parseStaticRange(a.vmAddresses) } : {}),
    snippetsStorage: a.snippetsStorage,
    snippetsDir: a.snippetsDir,
    addressTimeoutMs: a.addressTimeoutSeconds * 1000,
    ...(a.pctPath ? { pctPath: a.pctPath } : {}),
    ...overrides,
  };
}
