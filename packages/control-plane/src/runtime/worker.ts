// Cloudflare Workers entry: the same app, with libSQL over HTTP, config from bindings, agents held
// by one Durable Object per node (NodeHub), and a cron for the periodic work Node does on timers.
// Only adapts; everything else is shared with the Node entry (STYLE.md rule 1).
import { createApp, type PylonApp } from "../app.ts";
import { pruneChanges } from "../hub/change-bus.ts";
import { DurableObjectHub } from "../hub/durable-object-hub.ts";
import { policySchedulerOn } from "../services/policy-scheduler.ts";
import { applyRetention } from "../services/retention.ts";
import { runDueUpdateChecks } from "../services/update-check-schedules.ts";
import { bootstrapAdmin } from "./bootstrap.ts";
import { misconfigured, type WorkerDeps, type WorkerEnv, workerDeps } from "./worker-deps.ts";
import { workerAgentBundle, workerInstallFile } from "./worker-files.ts";

export { NodeHub } from "./worker-node-hub.ts";

interface Built {
  deps: WorkerDeps;
  app: PylonApp;
  ready: Promise<unknown>;
}

let cached: Built | { errors: string[] } | undefined;

function build(env: WorkerEnv): Built | { errors: string[] } {
  const deps = workerDeps(env);
  if ("errors" in deps) return deps;
  const { config, db, bus, logger } = deps;
  const app = createApp({
    db,
    bus,
    hub: new DurableObjectHub(env.NODE_HUB),
    ...(env.ASSETS
      ? { installFile: workerInstallFile(env.ASSETS), agentBundle: workerAgentBundle(env.ASSETS) }
      : {}),
    logger: config.PYLON_LOG_REQUESTS ? logger : { ...logger, info: () => {} },
    now: Date.now,
    secretKey: deps.secretKey,
    retention: deps.retention,
    publicUrl: config.PYLON_PUBLIC_URL,
    apps: {
      domain: config.PYLON_APPS_DOMAIN,
      httpsPort: config.PYLON_APPS_HTTPS_PORT,
      keepSnapshots: config.PYLON_APP_SNAPSHOTS_KEEP,
    },
    sessions: {
      idleMs: config.PYLON_SESSION_IDLE_MINUTES * 60_000,
      absoluteMs: config.PYLON_SESSION_MAX_HOURS * 3600_000,
    },
    clientIp: (c) => c.req.header("cf-connecting-ip") ?? null,
    version: "0.1.0",
    runtime: "workers",
    policyScheduler: policySchedulerOn({ db, now: Date.now, bus }),
  });
  // There is no console to print a setup link to: the first admin comes from PYLON_ADMIN_* secrets.
  const ready = config.PYLON_ADMIN_EMAIL
    ? bootstrapAdmin(
        { db, now: Date.now, logger },
        {
          email: config.PYLON_ADMIN_EMAIL,
          password: config.PYLON_ADMIN_PASSWORD,
          name: config.PYLON_ADMIN_NAME,
          baseUrl: "",
        },
      ).catch((err) => logger.error("bootstrap failed", { error: String(err) }))
    : Promise.resolve();
  return { deps, app, ready };
}

/**
 * The cron (wrangler.toml `[triggers]`): what the Node hub's timers do beyond one node — the
 * retention pass (old audit rows and jobs, expired sessions and setup links) and pruning the
 * change feed. Per-node work (liveness, heartbeats, offer expiry, metrics) runs in each node's
 * object on its alarm; a node whose object stops beating shows offline by its instance's age.
 */
async function scheduled(env: WorkerEnv, at: number): Promise<void> {
  cached ??= build(env);
  if ("errors" in cached) {
    console.log(
      JSON.stringify({ level: "error", msg: "cron skipped: Pylon is misconfigured", errors: cached.errors }),
    );
    return;
  }
  const { deps } = cached;
  const now = Date.now();
  await pruneChanges(deps, now);
  // Update checks run here (they read the catalog), every 5 minutes as on Node's hub.
  await runDueUpdateChecks({ ...deps, now: Date.now });
  // Retention once an hour, as on Node: the first run of each hour (crons every 5 minutes).
  if (new Date(at).getUTCMinutes() >= 5) return;
  const deleted = await applyRetention({ ...deps, now: Date.now }, now);
  if (Object.values(deleted).some((n) => n > 0)) deps.logger.info("retention", { deleted });
}

export default {
  fetch(request: Request, env: WorkerEnv, ctx: unknown): Response | Promise<Response> {
    // Bindings are fixed for the life of an isolate, so the app is built once per isolate.
    cached ??= build(env);
    if ("errors" in cached) return misconfigured(cached.errors);
    const { app } = cached;
    return cached.ready.then(() => app.fetch(request, env, ctx as never));
  },
  scheduled(
    controller: { scheduledTime: number },
    env: WorkerEnv,
    ctx: { waitUntil(p: Promise<unknown>): void },
  ): void {
    ctx.waitUntil(scheduled(env, controller.scheduledTime));
  },
};
