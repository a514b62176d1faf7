import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Sim } from "@pylon/pve-sim";
import {
  type AppDeployParams,
  type AppDeployResult,
  appDeployResultSchema,
  type JobKind,
  type JobParams,
} from "@pylon/shared/protocol/index";
import type { JobContext, JobHandler } from "../../jobs/types.ts";
import type { JobEvent } from "../../journal/records.ts";
import { TokenEngine } from "../../proxmox/engine.ts";
import { CaddyRoutes } from "../../routes/caddy-routes.ts";
import type { TestCaddy } from "../../routes/testing.ts";
import { clientFor } from "../../testing/sim.ts";
import { appDeploy } from "./deploy.ts";
import { APP_JOB_DEFAULTS, type AppJobDeps } from "./deps.ts";

// Shared by the pipeline tests: deps pointed at a simulator and a test Caddy, and a JobContext
// that records events and checkpoints in memory.

/** Deps for a simulator and a test Caddy, with a fresh state dir (removed by `cleanup`). */
export async function testDeps(
  sim: Sim,
  caddy: TestCaddy,
): Promise<AppJobDeps & { cleanup(): Promise<void> }> {
  const stateDir = await mkdtemp(join(tmpdir(), "pylon-deploy-state-"));
  return {
    ...APP_JOB_DEFAULTS,
    engine: new TokenEngine({
      origin: new URL(sim.apiUrl).origin,
      tokenId: sim.token.tokenId,
      tokenSecret: sim.token.secret,
      ca: sim.caCertPem,
    }),
    routes: new CaddyRoutes({
      adminUrl: caddy.adminUrl,
      httpsPort: caddy.httpsPort,
      httpPort: caddy.httpPort,
    }),
    stateDir,
    pctPath: join(sim.pctBinDir, "pct"),
    ipPath: join(sim.pctBinDir, "ip"),
    pctEnv: { ...process.env, ...sim.env },
    sshPorts: [22, 2222],
    addressTimeoutMs: 20_000,
    taskPollMs: 10,
    gitSchemes: ["https:", "ssh:", "http:"],
    cleanup: () => rm(stateDir, { recursive: true, force: true }),
  };
}

/** A recording JobContext. */
export interface TestContext extends JobContext {
  events: JobEvent[];
  /** `step status` lines, in order. */
  steps(): string[];
}

/** A JobContext against the simulator that keeps events and checkpoints in memory. */
export function testContext(
  sim: Sim,
  checkpoints = new Map<string, unknown>(),
  resumed = false,
  signal: AbortSignal = new AbortController().signal,
): TestContext {
  const events: JobEvent[] = [];
  return {
    jobId: `job-${Math.random().toString(36).slice(2)}`,
    signal,
    pve: clientFor(sim),
    nodeName: sim.node,
    resumed,
    checkpoints,
    events,
    steps: () => events.flatMap((e) => (e.kind === "step" ? [`${e.step} ${e.status}`] : [])),
    async log(level, message) {
      events.push({ kind: "log", level, message });
    },
    async progress(percent, message) {
      events.push({ kind: "progress", percent, message });
    },
    async step(step, status, message) {
      events.push({ kind: "step", step, status, message });
    },
    async checkpoint(name, data) {
      checkpoints.set(name, structuredClone(data));
    },
  };
}

/** Runs a handler with parameters as the runner would (after validation). */
export function runJob<K extends JobKind>(handler: JobHandler<K>, params: JobParams<K>, ctx: JobContext) {
  return handler.run(params, ctx);
}

/** Runs app.deploy and checks its result against the protocol's result schema. */
export async function deploy(params: AppDeployParams, ctx: JobContext): Promise<AppDeployResult> {
  return appDeployResultSchema.parse(await appDeploy.run(params, ctx));
}

/** A catalog-like deploy of one compose service publishing `port:80`. */
export function composeDeploy(
  name: string,
  port: number,
  overrides: Partial<AppDeployParams> = {},
): AppDeployParams {
  return {
    appId: name,
    name,
    mode: "create",
    guest: { type: "lxc", cores: 1, memoryMb: 512, diskGb: 4, storage: "local-lvm", bridge: "vmbr0" },
    source: {
      type: "compose",
      compose: `services:\n  web:\n    image: nginx:1.27-alpine\n    ports:\n      - "${port}:80"\n`,
    },
    env: {},
    http: { port, path: "/", timeoutSeconds: 10 },
    route: { id: name, host: `${name}.pylon.test`, tls: "internal" },
    ...overrides,
  };
}

/** Reads the simulator's state through its control API. */
export async function simState(sim: Sim): Promise<SimState> {
  const res = await fetch(`${sim.controlUrl}/state`);
  const body: unknown = await res.json();
  if (typeof body !== "object" || body === null || !("data" in body)) throw new Error("bad /state answer");
  return body.data as SimState;
}

/** The parts of the simulator's /state the tests look at. */
export interface SimState {
  guests: {
    vmid: number;
    kind: string;
    status: string;
    lock: string | null;
    snapshots: string[];
    config: Record<string, string>;
  }[];
  storages: {
    storage: string;
    type: string;
    volumes: {
      volid: string;
      content: string;
      vmid: number | null;
      protected: boolean;
      notes: string | null;
    }[];
  }[];
  fileLocks: unknown[];
  processes: { kind: string; pid: number | null; description: string }[];
  containers: { vmid: number; name: string; status: string }[];
}
