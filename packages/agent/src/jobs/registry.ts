import { type JobKind, type JobParams, jobKindSchema, jobParamsSchemas } from "@pylon/shared/protocol/index";
import type { z } from "zod";
import type { AgentConfig } from "../config.ts";
import { guestPower } from "./guest-power.ts";
import { nodeInventory } from "./node-inventory.ts";
import { type JobContext, JobError, type JobHandler } from "./types.ts";

/**
 * A handler whose module is loaded on its first job. The app pipeline pulls in ssh2, yaml and
 * the build detectors; evaluating them at start costs the idle agent ~8 MB of RSS (issue #4's
 * budget is 1.2× a bare ws client), while most agents sit idle between deploys.
 */
function lazy<K extends JobKind>(kind: K, load: () => Promise<JobHandler<K>>): JobHandler<K> {
  let loaded: Promise<JobHandler<K>> | undefined;
  return {
    kind,
    async run(params, ctx) {
      loaded ??= load();
      return (await loaded).run(params, ctx);
    },
  };
}

let agentConfig: AgentConfig | undefined;
let configured: Promise<void> | undefined;

/**
 * Gives the app pipeline the running agent's config. Its dependencies (Caddy's admin API, raw
 * Proxmox calls) are built on the first app job, with the pipeline, not at start.
 */
export function useAgentConfig(config: AgentConfig): void {
  agentConfig = config;
}

const pipeline = async () => {
  const m = await import("../deploy/pipeline/index.ts");
  const config = agentConfig;
  if (config) {
    configured ??= import("../deploy/pipeline/deps.ts").then(async (d) =>
      d.configureAppJobs(await d.appJobDepsFromConfig(config)),
    );
    await configured;
  }
  return m;
};

/** The backup handlers share the pipeline's dependencies, configured with it. */
const backups = async () => {
  await pipeline();
  return import("../backup/index.ts");
};

/**
 * Every job kind this agent runs; its keys are the capabilities it announces in hello. Kinds
 * the protocol knows but this agent does not run yet are refused with `unknown_kind`.
 */
export const HANDLERS: { [K in JobKind]?: JobHandler<K> } = {
  "node.inventory": nodeInventory,
  "guest.power": guestPower,
  "app.deploy": lazy("app.deploy", () => pipeline().then((m) => m.appDeploy)),
  "app.action": lazy("app.action", () => pipeline().then((m) => m.appAction)),
  "app.delete": lazy("app.delete", () => pipeline().then((m) => m.appDelete)),
  "app.resize": lazy("app.resize", () => pipeline().then((m) => m.appResize)),
  "app.diagnostics": lazy("app.diagnostics", () => pipeline().then((m) => m.appDiagnostics)),
  "app.logs": lazy("app.logs", () => pipeline().then((m) => m.appLogs)),
  "app.plan": lazy("app.plan", () => pipeline().then((m) => m.appPlan)),
  "node.vmTemplate": lazy("node.vmTemplate", () => pipeline().then((m) => m.nodeVmTemplate)),
  "app.backup": lazy("app.backup", () => backups().then((m) => m.appBackup)),
  "app.prune": lazy("app.prune", () => backups().then((m) => m.appPrune)),
  "app.volume": lazy("app.volume", () => backups().then((m) => m.appVolume)),
  "app.drill": lazy("app.drill", () => backups().then((m) => m.appDrill)),
  "app.snapshot": lazy("app.snapshot", () => backups().then((m) => m.appSnapshot)),
};

/** Each kind's params schema, typed per kind so a generic lookup keeps the kind/params link. */
const PARAMS: { [K in JobKind]: z.ZodType<JobParams<K>> } = jobParamsSchemas;

function runKind<K extends JobKind>(kind: K, params: unknown, ctx: JobContext): Promise<unknown> {
  const handler: JobHandler<K> | undefined = HANDLERS[kind];
  if (!handler) return Promise.reject(new JobError(`this agent does not run ${kind}`));
  return handler.run(PARAMS[kind].parse(params), ctx);
}

/** Runs a journaled job: its params validated again (journal content is not trusted blindly). */
export function runJob(kind: string, params: unknown, ctx: JobContext): Promise<unknown> {
  const k = jobKindSchema.safeParse(kind);
  if (!k.success) return Promise.reject(new JobError(`this agent no longer runs ${kind}`));
  return runKind(k.data, params, ctx);
}
