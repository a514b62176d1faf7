import { readFile } from "node:fs/promises";
import { resolve } from "node:path";
import type { HostCheck } from "@pylon/shared/protocol/index";
import { jobParamsSchemas } from "@pylon/shared/protocol/index";
import type { AgentConfig } from "./config.ts";
import { Backoff } from "./connection/backoff.ts";
import { createDispatcher } from "./connection/dispatcher.ts";
import { fitHeldJobs } from "./connection/frame-size.ts";
import { AgentLink } from "./connection/socket.ts";
import { CredentialStore } from "./credential.ts";
import { HANDLERS, useAgentConfig } from "./jobs/registry.ts";
import { JobRunner } from "./jobs/runner.ts";
import { Journal } from "./journal/journal.ts";
import type { Logger } from "./log.ts";
import { MetricsSampler } from "./metrics/node-metrics.ts";
import { PveClient } from "./proxmox/client.ts";
import { checkHost, sameCheck } from "./proxmox/host-check.ts";
import { pveTlsFromConfig } from "./proxmox/tls.ts";
import { Scheduler } from "./schedules/scheduler.ts";
import { AgentUpdater } from "./update/updater.ts";
import { errorMessage } from "./util/errors.ts";
import { AGENT_VERSION } from "./version.ts";

/** A running agent: its parts (for tests) and a graceful stop. */
export interface RunningAgent {
  link: AgentLink;
  runner: JobRunner;
  journal: Journal;
  scheduler: Scheduler;
  credentials: CredentialStore;
  /** Stop taking offers, let jobs reach a safe point, close with 1000, flush the journal. */
  stop(): Promise<void>;
}

export interface StartOptions {
  log: Logger;
  /** Overrides for tests (fast reconnects). */
  backoff?: Backoff;
  /** The bundle this agent runs from, which a self-update replaces (default: the running script). */
  bundlePath?: string;
  /** Ends the process after a self-update (default process.exit; systemd starts it again). */
  exit?: (code: number) => void;
}

async function readSecret(path: string, what: string): Promise<string> {
  try {
    return (await readFile(path, "utf8")).trim();
  } catch (err) {
    throw new Error(`cannot read ${what} at ${path}: ${errorMessage(err)}`);
  }
}

/** Wires config, journal, Proxmox client, job runner and link, then starts connecting. */
export async function startAgent(config: AgentConfig, opts: StartOptions): Promise<RunningAgent> {
  const log = opts.log;
  useAgentConfig(config);
  const pve = new PveClient({
    url: config.pve.url,
    tokenId: config.pve.tokenId,
    tokenSecret: await readSecret(config.pve.tokenSecretFile, "the PVE API token secret"),
    tls: await pveTlsFromConfig(config.pve),
  });
  const ca = config.caFile ? await readFile(config.caFile) : undefined;
  const credentials = new CredentialStore(config.credentialFile);
  await credentials.read();
  const journal = await Journal.open(config.stateDir, { log });
  let link: AgentLink | undefined;
  // The host check (PVE version, the token's privileges) runs at start, then every
  // hostCheckMs; a changed result (an in-place upgrade, privileges granted or taken) is sent.
  let hostCheck: HostCheck | undefined;
  const sendHostCheck = () => {
    if (hostCheck) link?.send({ type: "host", ...hostCheck });
  };
  const runHostCheck = async () => {
    const next = await checkHost(pve, config.pve.tokenId);
    if (sameCheck(hostCheck, next)) return;
    hostCheck = next;
    for (const problem of next.problems) log.warn("host check", { problem });
    if (next.missingPrivileges.length)
      log.warn("the Proxmox API token lacks privileges", { missing: next.missingPrivileges, fix: next.fix });
    sendHostCheck();
  };
  await runHostCheck();
  const hostTimer = setInterval(() => void runHostCheck().catch(() => {}), config.hostCheckMs);
  hostTimer.unref();

  const send: ConstructorParameters<typeof JobRunner>[0]["send"] = (frame) => link?.send(frame) ?? false;
  const runner = new JobRunner({
    journal,
    pve,
    nodeName: config.nodeName,
    log,
    send,
    maxConcurrentJobs: config.maxConcurrentJobs,
    // An app or power job changes the node's guests (made, removed, started, stopped): sample them and
    // send a heartbeat now, so the control plane's guest list does not wait for the next one.
    onFinished: (kind) => {
      const changesGuests =
        (kind.startsWith("app.") && kind !== "app.logs" && kind !== "app.diagnostics") ||
        kind === "guest.power";
      if (changesGuests) void sampler.sample().then(() => link?.heartbeatNow());
    },
  });
  // Schedules the control plane pushed, kept in the state directory and run here, link or no link.
  const scheduler = new Scheduler({
    stateDir: config.stateDir,
    log,
    known: (jobId) => journal.get(jobId) !== undefined || journal.isDone(jobId),
    running: (jobId) => journal.get(jobId)?.finished === false,
    run: (s, at, jobId) => {
      const origin = {
        scheduleId: s.id,
        appId: s.appId,
        schedule: s.schedule,
        scheduledAt: at,
        missed: false,
      };
      const params = jobParamsSchemas[s.kind].safeParse(s.params);
      if (!(s.kind in HANDLERS) || !params.success)
        return runner.recordMissed(
          jobId,
          s.kind,
          s.params,
          origin,
          `this agent cannot run the schedule's ${s.kind} job`,
        );
      return runner.runScheduled(jobId, s.kind, params.data, origin);
    },
    missed: (s, at, jobId, why) =>
      runner.recordMissed(
        jobId,
        s.kind,
        s.params,
        { scheduleId: s.id, appId: s.appId, schedule: s.schedule, scheduledAt: at, missed: true },
        why,
      ),
  });
  // Sampled at most once per heartbeat (the interval comes with welcome).
  const sampler = new MetricsSampler(pve, config.nodeName, 15_000, log);

  const updater: AgentUpdater = new AgentUpdater({
    bundlePath: opts.bundlePath ?? resolve(process.argv[1] ?? ""),
    stateDir: config.stateDir,
    controlPlaneUrl: config.controlPlaneUrl,
    ...(ca ? { ca } : {}),
    version: AGENT_VERSION,
    confirmMs: config.updateConfirmMs,
    log,
    report: (r) => send({ type: "updating", ...r }),
    restart: (code) => {
      // Through systemd (Restart=always): stop cleanly, exit, be started from the new bundle.
      const exit = opts.exit ?? ((c: number) => process.exit(c));
      void (stopAgent ? stopAgent() : Promise.resolve()).finally(() => exit(code));
    },
  });
  let stopAgent: (() => Promise<void>) | undefined;

  const dispatcher = createDispatcher(
    {
      welcome(f) {
        link?.welcomed(f.heartbeatMs);
        void updater
          .connected()
          .catch((err) => log.warn("update bookkeeping failed", { err: errorMessage(err) }));
        sampler.minIntervalMs = Math.floor(f.heartbeatMs * 0.9);
        runner.setServerLimit(f.maxConcurrentJobs);
        log.info("connected to the control plane", { nodeId: f.nodeId, heartbeatMs: f.heartbeatMs });
        runner.resendAll();
        sendHostCheck();
      },
      heartbeat() {},
      offer: (f) => void runner.offer(f),
      cancel: (f) => runner.cancel(f.jobId),
      ack: (f) => runner.ack(f.jobId, f.seq),
      status: (f) => runner.status(f.jobId),
      rotate(f) {
        credentials
          .read()
          .then((cur) =>
            credentials.write({ ...cur, credentialId: f.credentialId, credential: f.credential }),
          )
          .then(() => {
            log.info("agent credential rotated", { credentialId: f.credentialId });
            send({ type: "rotated", credentialId: f.credentialId });
          })
          .catch((err) => {
            log.error("could not store the rotated credential", { err: errorMessage(err) });
            send({ type: "error", code: "internal", message: "could not store the rotated credential" });
          });
      },
      update: (f) => void updater.update(f),
      schedules: (f) =>
        void scheduler
          .replace(f.schedules)
          .catch((err) => log.error("could not take the pushed schedules", { err: errorMessage(err) })),
      error(f) {
        // About a job: send it again later (`retry`), or stop and drop it (refused for good).
        if (f.jobId && f.retry) runner.retryLater(f.jobId);
        else if (f.jobId) void runner.refused(f.jobId, f.message);
        else log.warn("the control plane reported a protocol error", { code: f.code, problem: f.message });
      },
    },
    log,
    send,
  );

  link = new AgentLink({
    controlPlaneUrl: config.controlPlaneUrl,
    ca,
    credentials,
    backoff: opts.backoff ?? new Backoff(),
    log,
    hello: () => ({
      agentVersion: AGENT_VERSION,
      nodeName: config.nodeName,
      pveVersion: hostCheck?.pveVersion ?? null,
      capabilities: Object.keys(HANDLERS),
      jobs: fitHeldJobs(runner.heldJobs()),
    }),
    metrics: () => sampler.latest(),
    guests: () => sampler.guests(),
    onText: (text) => dispatcher.dispatch(text),
    onDown: () => void runHostCheck().catch(() => {}),
  });

  runner.recover();
  await scheduler.start();
  await updater.start();
  link.start();
  let stopping: Promise<void> | undefined;
  const agent: RunningAgent = {
    link,
    runner,
    journal,
    scheduler,
    credentials,
    stop() {
      stopping ??= (async () => {
        log.info("stopping: no new offers; waiting for running jobs", { running: runner.runningCount });
        clearInterval(hostTimer);
        await scheduler.stop();
        await runner.stop(config.stopGraceMs);
        await link?.stop();
        await journal.close();
        log.info("stopped");
      })();
      return stopping;
    },
  };
  stopAgent = () => agent.stop();
  return agent;
}
