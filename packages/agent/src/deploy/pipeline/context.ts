import { buildPlanSchema } from "@pylon/shared/api/plan";
import type { AppDeployParams, AppDeploySecrets } from "@pylon/shared/protocol/index";
import { z } from "zod";
import type { JobContext } from "../../jobs/types.ts";
import type { GuestType } from "../../proxmox/client.ts";
import { waitForTask } from "../../proxmox/tasks.ts";
import type { CommandRunner, RunOptions, RunResult } from "../../runners/types.ts";
import type { AppJobDeps } from "./deps.ts";
import { secretsOf } from "./inputs.ts";
import { liveOutput } from "./live-output.ts";
import { PveApi } from "./pve-api.ts";
import { StepFailure } from "./steps.ts";

/** What a deploy remembers between steps (checkpointed; never holds a secret). */
export const deployStateSchema = z.object({
  vmid: z.number().int().nullable(),
  address: z.string().nullable(),
  /** The VM's SSH host key, pinned at first contact after cloud-init. */
  hostKey: z.string().nullable(),
  sshPort: z.number().int().nullable(),
  /** How this guest runs compose: ["docker","compose"] or ["docker-compose"]. */
  compose: z.array(z.string()).nullable(),
  commit: z.string().nullable(),
  /** The compose file the app runs from (null: a single image). */
  composeFile: z.string().nullable(),
  /** The container port of a single-Dockerfile app. */
  containerPort: z.number().int().nullable(),
  snapshot: z.string().nullable(),
  /** The snapshot a redeploy took first, to roll back to. */
  preSnapshot: z.string().nullable(),
  /** ssh Git sources: the Git host's key the clone trusted (optional: older checkpoints lack it). */
  gitHostKey: z.object({ fingerprint: z.string(), keyType: z.string() }).nullable().optional(),
  /** The build plan made on the host before any guest work (a Git source). */
  plan: buildPlanSchema.nullable().default(null),
  /** The port the app answers on at the guest's address when it is not the allocated one (compose publishes its own). */
  httpPort: z.number().int().nullable().default(null),
  /** Whether the guest's storage can take snapshots (null: not checked yet). */
  snapshots: z.boolean().nullable().default(null),
  /** restore in place: the replaced guest's address, for the route to go back to on failure. */
  previousAddress: z.string().nullable().default(null),
  /** restore in place: the replaced guest once destroyed. */
  retired: z.number().int().nullable().default(null),
});
export type DeployState = z.infer<typeof deployStateSchema>;

/** An empty state for a new deploy. */
export function freshState(vmid: number | null): DeployState {
  return {
    vmid,
    address: null,
    hostKey: null,
    sshPort: null,
    compose: null,
    commit: null,
    composeFile: null,
    containerPort: null,
    snapshot: null,
    preSnapshot: null,
    gitHostKey: null,
    plan: null,
    httpPort: null,
    snapshots: null,
    previousAddress: null,
    retired: null,
  };
}

/** Everything a step works with. */
export interface DeployRun {
  ctx: JobContext;
  deps: AppJobDeps;
  api: PveApi;
  params: AppDeployParams;
  secrets: AppDeploySecrets;
  state: DeployState;
  /** The runner for the app's guest (connected on first use). */
  runner(): Promise<CommandRunner>;
  /** Closes whatever runner was opened. */
  close(): Promise<void>;
}

/** The guest type of a deploy in Proxmox's path terms. */
export function guestType(run: { params: { guest: { type: GuestType } } }): GuestType {
  return run.params.guest.type;
}

/** The vmid a step needs, or a clear error when an earlier step did not record one. */
export function vmidOf(run: DeployRun): number {
  if (run.state.vmid === null) throw new StepFailure("no guest id recorded for this deploy");
  return run.state.vmid;
}

/** The port the app answers HTTP on at the guest's address: the compose file's own, else the allocated one. */
export function appPort(run: DeployRun): number {
  return run.state.httpPort ?? run.params.http.port;
}

/** The app's directory in its guest. */
export function appDir(run: DeployRun): string {
  return `${run.deps.appsBase}/${run.params.name}`;
}

/**
 * Waits for a Proxmox task of this job (Proxmox's own error text on failure). Polls at most
 * every 250 ms: a CT create takes 8–30 s on a real host, and the poll interval is how late the
 * deploy notices the end of it (pveproxy answers a task's status from memory, cheaply).
 */
export async function waitTask(ctx: JobContext, deps: AppJobDeps, upid: string): Promise<void> {
  await waitForTask(ctx.pve, upid, { signal: ctx.signal, intervalMs: deps.taskPollMs, maxIntervalMs: 250 });
}

/** A PveApi for this job's node. */
export function apiFor(ctx: JobContext, deps: AppJobDeps): PveApi {
  return new PveApi(deps.engine, ctx.nodeName);
}

/**
 * Runs argv in the guest; a non-zero exit fails with the command's own stderr (or stdout).
 * With `live` (the deploy), the output is streamed into the job log as it arrives.
 */
export async function exec(
  runner: CommandRunner,
  argv: readonly string[],
  what: string,
  opts: RunOptions & { live?: DeployRun } = {},
): Promise<RunResult> {
  const { live, ...runOpts } = opts;
  let r: RunResult;
  if (live) {
    const secrets = secretsOf(live.params);
    const out = liveOutput(live.ctx, what, [
      ...Object.values(secrets.secrets),
      ...(secrets.deployKey ? [secrets.deployKey] : []),
      ...(live.params.mask ?? []),
    ]);
    try {
      r = await runner.run(argv, { ...runOpts, onOutput: out.onOutput });
    } finally {
      await out.done();
    }
  } else r = await runner.run(argv, runOpts);
  if (r.exitCode !== 0) {
    const text = (r.stderr.trim() || r.stdout.trim()).split("\n").slice(-20).join("\n");
    throw new StepFailure(`${what} exited ${r.exitCode}${text ? `: ${text}` : ""}`);
  }
  return r;
}
