import type { AppDeployResult } from "@pylon/shared/protocol/index";
import { z } from "zod";
import { snapshotFacts } from "../../backup/facts.ts";
import { pruneOwnSnapshots } from "../../backup/snapshots.ts";
import { type JobContext, JobError, type JobHandler } from "../../jobs/types.ts";
import { currentAddress, hostPort, waitForAddress } from "./address.ts";
import { buildApp } from "./build.ts";
import { type OpenRunner, openRunner, pinnedHostKey } from "./connect.ts";
import {
  apiFor,
  appPort,
  type DeployRun,
  type DeployState,
  deployStateSchema,
  freshState,
  vmidOf,
} from "./context.ts";
import { type AppJobDeps, appJobDeps } from "./deps.ts";
import { bootstrapDocker } from "./docker.ts";
import { createGuest, destroyGuest, reserveVmid, startGuest } from "./guest.ts";
import { healthCheck } from "./health.ts";
import { checkDeploy, secretsOf } from "./inputs.ts";
import { planStep } from "./plan.ts";
import { restartPrevious, runApp, stopApp } from "./run-app.ts";
import { dropSnapshot, rollbackTo, takeSnapshot } from "./snapshot.ts";
import { fetchSource } from "./source.ts";
import { failureText, recorded, runSteps, type Step, StepFailure } from "./steps.ts";

const KEY = "deploy";

/** Whether the guest at vmid is the one this deploy created (never destroy someone else's). */
async function isOurs(run: DeployRun, vmid: number): Promise<boolean> {
  const config = await run.api.config(run.params.guest.type, vmid).catch(() => undefined);
  if (!config) return false;
  const name = run.params.guest.type === "lxc" ? config.hostname : config.name;
  return name === run.params.name;
}

const publishRoute: Step<DeployRun> = {
  name: "route",
  async run(run) {
    const { route } = run.params;
    if (!route) return "no route for this app";
    if (!run.state.address) throw new StepFailure("no guest address recorded");
    if (run.params.replaces !== undefined && run.state.previousAddress === null)
      run.state.previousAddress = await currentAddress(run.api, run.params.guest.type, run.params.replaces);
    await run.deps.routes.upsertRoute({
      id: route.id,
      host: route.host,
      upstream: hostPort(run.state.address, appPort(run)),
      tls: route.tls,
    });
    return `${route.host} → ${hostPort(run.state.address, appPort(run))}`;
  },
  async undo(run) {
    const { route, http } = run.params;
    if (!route) return;
    // Restoring in place: the replaced guest still serves, so the route goes back to it.
    if (run.state.previousAddress)
      await run.deps.routes.upsertRoute({
        id: route.id,
        host: route.host,
        upstream: `${run.state.previousAddress}:${http.port}`,
        tls: route.tls,
      });
    else await run.deps.routes.removeRoute(route.id);
  },
};

/**
 * The deploy's snapshot (the rollback point of the next redeploy), described with the commit,
 * then the app's older snapshots beyond `keepSnapshots` go. Skipped with the reason on a
 * storage that cannot take snapshots (Proxmox's storage table).
 */
const deploySnapshot: Step<DeployRun> = {
  name: "snapshot",
  async run(run) {
    const type = run.params.guest.type;
    const vmid = vmidOf(run);
    const facts = await snapshotFacts(run.ctx, run.api, type, vmid);
    run.state.snapshots = facts.supported;
    if (!facts.supported) {
      await run.ctx.log("warn", `no snapshot: ${facts.reason}; rolling back will mean restoring a backup`);
      return `skipped: ${facts.reason}`;
    }
    const description = run.state.commit ? `commit ${run.state.commit}` : undefined;
    run.state.snapshot = await takeSnapshot(run.ctx, run.deps, run.api, type, vmid, description);
    await pruneOwnSnapshots(run.ctx, run.deps, run.api, type, vmid, run.params.keepSnapshots);
    return run.state.snapshot;
  },
  async undo(run) {
    if (run.state.snapshot)
      await dropSnapshot(run.ctx, run.deps, run.api, run.params.guest.type, vmidOf(run), run.state.snapshot);
  },
};

/**
 * Restoring in place, last: the replaced guest is stopped and destroyed (its backups stay). The
 * restore has succeeded by then, so a failure here is reported, not undone.
 */
const retireReplaced: Step<DeployRun> = {
  name: "retire",
  async run(run) {
    const old = run.params.replaces;
    if (old === undefined) return "nothing to replace";
    await run.close();
    try {
      await destroyGuest(run.ctx, run.deps, run.api, run.params.guest.type, old);
      run.state.retired = old;
      return `${run.params.guest.type === "lxc" ? "CT" : "VM"} ${old} destroyed`;
    } catch (err) {
      await run.ctx.log(
        "error",
        `the replaced guest ${old} was not destroyed: ${failureText(err)}; remove it by hand`,
      );
      return `guest ${old} left running: ${failureText(err)}`;
    }
  },
};

const common = {
  plan: { name: "plan", run: planStep } satisfies Step<DeployRun>,
  docker: { name: "docker", run: bootstrapDocker } satisfies Step<DeployRun>,
  fetch: { name: "fetch", run: fetchSource } satisfies Step<DeployRun>,
  build: { name: "build", run: buildApp } satisfies Step<DeployRun>,
  run: { name: "run", run: runApp, undo: stopApp } satisfies Step<DeployRun>,
  health: { name: "health", run: healthCheck } satisfies Step<DeployRun>,
};

/** The steps of a first deploy: a new guest, the app in it, its route and a snapshot. */
const CREATE_STEPS: Step<DeployRun>[] = [
  common.plan,
  { name: "reserve", run: reserveVmid },
  {
    name: "create",
    run: createGuest,
    async undo(run) {
      const vmid = run.state.vmid;
      if (vmid === null || !(await isOurs(run, vmid))) return;
      await run.close();
      await destroyGuest(run.ctx, run.deps, run.api, run.params.guest.type, vmid);
    },
  },
  { name: "start", run: startGuest },
  { name: "address", run: waitForAddress },
  common.docker,
  common.fetch,
  common.build,
  common.run,
  common.health,
  publishRoute,
  deploySnapshot,
];

/** A restore: the backup into a new guest, the app run in it, then (in place) the old guest retired. */
const RESTORE_STEPS: Step<DeployRun>[] = [...CREATE_STEPS, retireReplaced];

/** The steps of a redeploy into the existing guest; any failure rolls back to the snapshot taken first. */
const REDEPLOY_STEPS: Step<DeployRun>[] = [
  common.plan,
  {
    name: "address",
    async run(run) {
      const vmid = vmidOf(run);
      run.state.address = await currentAddress(run.api, run.params.guest.type, vmid);
      if (!run.state.address) return waitForAddress(run);
      const pin = await pinnedHostKey(run.deps.stateDir, vmid);
      run.state.hostKey = pin?.key ?? null;
      run.state.sshPort = pin?.port ?? null;
      return run.state.address;
    },
  },
  {
    name: "snapshot",
    async run(run) {
      const type = run.params.guest.type;
      const facts = await snapshotFacts(run.ctx, run.api, type, vmidOf(run));
      run.state.snapshots = facts.supported;
      if (!facts.supported) {
        // An update changes images and data formats: without a rollback point it does not start.
        if (run.params.update)
          throw new StepFailure(
            `no rollback point: ${facts.reason}; an update needs a snapshot first (back the app up and redeploy instead)`,
          );
        await run.ctx.log(
          "warn",
          `no rollback point: ${facts.reason}; if this redeploy fails the previous containers are started again, but files it changed stay changed (restore a backup to go back)`,
        );
        return `skipped: ${facts.reason}`;
      }
      const u = run.params.update;
      const description = u
        ? `before update from ${u.from} to ${u.to}`
        : run.state.commit
          ? `before redeploy; commit ${run.state.commit}`
          : "before redeploy";
      run.state.preSnapshot = await takeSnapshot(run.ctx, run.deps, run.api, type, vmidOf(run), description);
      await pruneOwnSnapshots(run.ctx, run.deps, run.api, type, vmidOf(run), run.params.keepSnapshots);
      return `${run.state.preSnapshot} (rollback point)`;
    },
    async undo(run) {
      await run.close();
      if (run.state.preSnapshot)
        await rollbackTo(
          run.ctx,
          run.deps,
          run.api,
          run.params.guest.type,
          vmidOf(run),
          run.state.preSnapshot,
        );
      await restartPrevious(run);
    },
  },
  common.docker,
  common.fetch,
  common.build,
  common.run,
  common.health,
  publishRoute,
];

/** A DeployRun whose runner is opened on first use (after the address step for a VM). */
function makeRun(
  ctx: JobContext,
  deps: AppJobDeps,
  params: DeployRun["params"],
  state: DeployState,
): DeployRun {
  let open: Promise<OpenRunner> | undefined;
  const run: DeployRun = {
    ctx,
    deps,
    api: apiFor(ctx, deps),
    params,
    secrets: secretsOf(params),
    state,
    async runner() {
      open ??= openRunner(
        deps,
        {
          type: params.guest.type,
          vmid: vmidOf(run),
          address: state.address,
          hostKey: state.hostKey,
          sshPort: state.sshPort,
        },
        { session: true },
      );
      open.catch(() => {
        open = undefined;
      });
      return (await open).runner;
    },
    async close() {
      const o = open;
      open = undefined;
      if (o) await (await o.catch(() => undefined))?.close();
    },
  };
  return run;
}

/** `app.deploy`: creates the guest and runs the app in it, or redeploys into the existing guest. */
export const appDeploy: JobHandler<"app.deploy"> = {
  kind: "app.deploy",
  async run(params, ctx): Promise<AppDeployResult> {
    let deps: AppJobDeps;
    try {
      deps = appJobDeps();
    } catch (err) {
      throw new JobError(err instanceof Error ? err.message : String(err), "validate");
    }
    checkDeploy(params, secretsOf(params), deps.gitSchemes);
    const before = recorded(ctx, KEY, deployStateSchema);
    const reserved = z.object({ vmid: z.number() }).safeParse(ctx.checkpoints.get("deploy.vmid"));
    const state = before?.state ?? freshState(params.mode === "redeploy" ? (params.vmid ?? null) : null);
    if (state.vmid === null && reserved.success) state.vmid = reserved.data.vmid;
    const run = makeRun(ctx, deps, params, state);
    // A catalog app's compose file is given: only a Git source has a build to plan.
    const steps = (
      params.mode === "redeploy" ? REDEPLOY_STEPS : params.mode === "restore" ? RESTORE_STEPS : CREATE_STEPS
    ).filter((s) => s.name !== "plan" || params.source.type === "git");
    try {
      await runSteps(
        ctx,
        KEY,
        steps,
        run,
        before?.done ?? [],
        async (_failed, _message, undoErrors) => {
          if (params.mode !== "redeploy" || !state.preSnapshot) return undefined;
          const ok = !undoErrors.some((e) => e.startsWith("snapshot:"));
          const before = params.update ? `version ${params.update.from}` : "the previous deploy";
          const text = ok
            ? `rolled back to snapshot ${state.preSnapshot}; ${before} runs again`
            : `rolling back to snapshot ${state.preSnapshot} failed too`;
          await ctx.log(ok ? "warn" : "error", text);
          return text;
        },
        // The app shows its guest as soon as it exists, not only when the deploy is done.
        (r) => ({ vmid: r.state.vmid, address: r.state.address }),
      );
    } finally {
      await run.close();
    }
    return {
      ...(state.gitHostKey ? { hostKey: state.gitHostKey } : {}),
      vmid: vmidOf(run),
      address: state.address ?? "",
      commit: state.commit,
      snapshot: params.mode === "redeploy" ? state.preSnapshot : state.snapshot,
      ...(state.snapshots !== null ? { snapshots: state.snapshots } : {}),
      ...(params.replaces !== undefined ? { retired: state.retired } : {}),
    };
  },
};
