import {
  type AgentFrame,
  type JobKind,
  jobKindSchema,
  jobParamsSchemas,
  type ServerFrame,
} from "@pylon/shared/protocol/index";
import { fitEvent } from "../connection/frame-size.ts";
import type { Journal } from "../journal/journal.ts";
import type { JobEntry, JobEvent, JobOrigin } from "../journal/records.ts";
import type { Logger } from "../log.ts";
import type { PveClient } from "../proxmox/client.ts";
import { errorMessage } from "../util/errors.ts";
import { HANDLERS, runJob } from "./registry.ts";
import { RetrySchedule } from "./retries.ts";
import { masker, secretValues } from "./secret-mask.ts";
import { Slots } from "./slots.ts";
import { CANCELLED, type JobContext, JobError } from "./types.ts";

type Offer = Extract<ServerFrame, { type: "offer" }>;
type Without<T> = T extends unknown ? Omit<T, "v"> : never;
/** A frame the agent sends, before encodeFrame adds the version. */
export type OutgoingFrame = Without<AgentFrame>;
/** Sends a frame if the link is up; returns false otherwise (the outbox keeps events). */
export type SendFrame = (frame: OutgoingFrame) => boolean;

/** Abort reasons: a user cancel ends the job `cancelled`; a shutdown leaves it to resume. */
const CANCEL = CANCELLED;
const SHUTDOWN = Symbol("shutdown");

export interface RunnerDeps {
  journal: Journal;
  pve: PveClient;
  nodeName: string;
  log: Logger;
  send: SendFrame;
  /** Local cap on concurrent jobs; welcome.maxConcurrentJobs may lower it. */
  maxConcurrentJobs: number;
  /** Told when a job's result is recorded (e.g. to report the node's guests at once). */
  onFinished?: (kind: string) => void;
  /**
   * Scheduled runs at once (default 2): offered jobs are paced by the control plane, runs of the
   * node's own schedules by this (a node default gives every app the same time).
   */
  maxScheduledRuns?: number;
}

/**
 * Runs offered jobs exactly once per job id: journal first (fsync), then `accept`, then the
 * handler, whose events go through the durable outbox and are resent until acked.
 */
export class JobRunner {
  #d: RunnerDeps;
  #running = new Map<
    string,
    { controller: AbortController; stopping: AbortController; done: Promise<void> }
  >();
  #accepting = new Map<string, Promise<void>>();
  /** Cancels that arrived while the offer was still being journaled. */
  #cancelled = new Set<string>();
  #serverMax = Number.POSITIVE_INFINITY;
  #stopping = false;
  /** Jobs the control plane refused for good: their handler is stopped and nothing more is sent. */
  #refused = new Set<string>();
  /** Pending resends of jobs the control plane asked to send again. */
  #retries = new RetrySchedule();

  /** Slots for runs of the node's schedules (see RunnerDeps.maxScheduledRuns). */
  #scheduled: Slots;

  constructor(deps: RunnerDeps) {
    this.#d = deps;
    this.#scheduled = new Slots(deps.maxScheduledRuns ?? 2);
  }

  get runningCount(): number {
    return this.#running.size;
  }

  /** Applies welcome.maxConcurrentJobs. */
  setServerLimit(max: number): void {
    this.#serverMax = max;
  }

  /** The jobs to report in hello. */
  heldJobs(): { jobId: string; state: "running" | "finished"; lastSeq: number }[] {
    return [...this.#d.journal.jobs()].map((j) => ({
      jobId: j.jobId,
      state: j.finished ? "finished" : "running",
      lastSeq: j.lastSeq,
    }));
  }

  /** Picks up jobs the journal says were running when the agent stopped. */
  recover(): void {
    for (const entry of this.#d.journal.jobs()) {
      if (entry.finished || this.#running.has(entry.jobId)) continue;
      this.#d.log.info("resuming a job interrupted by an agent stop", {
        jobId: entry.jobId,
        kind: entry.kind,
      });
      this.#start(entry, true);
    }
  }

  /** Handles an offer: duplicate → accept again and resend; else validate, journal, accept, run. */
  async offer(offer: Offer): Promise<void> {
    const { jobId } = offer;
    const pending = this.#accepting.get(jobId);
    if (pending) await pending.catch(() => {});
    if (this.#d.journal.get(jobId) || this.#d.journal.isDone(jobId)) {
      this.#d.log.info("duplicate offer of a held job: accepted again, not run twice", { jobId });
      this.#d.send({ type: "accept", jobId });
      this.resend(jobId);
      return;
    }
    const reject = (
      reason: "unknown_kind" | "invalid_params" | "busy" | "shutting_down",
      message: string,
    ) => {
      this.#d.log.info("offer rejected", { jobId, reason, message });
      this.#d.send({ type: "reject", jobId, reason, message: message.slice(0, 2000) });
    };
    if (this.#stopping) return reject("shutting_down", "the agent is stopping");
    const kind = jobKindSchema.safeParse(offer.kind);
    if (!kind.success || !(kind.data in HANDLERS))
      return reject("unknown_kind", `this agent does not run ${offer.kind}`);
    const params = jobParamsSchemas[kind.data].safeParse(offer.params);
    if (!params.success) {
      const issue = params.error.issues[0];
      return reject("invalid_params", `${issue?.path.join(".") || "params"}: ${issue?.message ?? "invalid"}`);
    }
    const limit = Math.min(this.#d.maxConcurrentJobs, this.#serverMax);
    if (this.#running.size + this.#accepting.size >= limit)
      return reject("busy", `${limit} jobs already running`);
    const accepting = this.#d.journal.accept(jobId, kind.data, params.data, offer.attempt).then(() => {});
    this.#accepting.set(jobId, accepting);
    try {
      await accepting;
    } catch (err) {
      this.#d.log.error("could not journal an offer; not accepting it", { jobId, err: errorMessage(err) });
      return;
    } finally {
      this.#accepting.delete(jobId);
    }
    this.#d.send({ type: "accept", jobId });
    const entry = this.#d.journal.get(jobId);
    if (entry) this.#start(entry, false);
  }

  /** Aborts a running job; its result will be `cancelled`. */
  cancel(jobId: string): void {
    const run = this.#running.get(jobId);
    if (run) run.controller.abort(CANCEL);
    else if (this.#accepting.has(jobId)) this.#cancelled.add(jobId);
    else this.#d.log.info("cancel for a job that is not running", { jobId });
  }

  /** Drops acknowledged events from the outbox. */
  ack(jobId: string, seq: number): void {
    this.#retries.reset(jobId);
    if (!this.#d.journal.ack(jobId, seq))
      this.#d.log.warn("ack for a job the journal does not hold", { jobId, seq });
  }

  /** Answers `status`: `absent` if unknown, else the unacked events again. */
  status(jobId: string): void {
    if (this.#d.journal.get(jobId) || this.#d.journal.isDone(jobId)) this.resend(jobId);
    else this.#d.send({ type: "absent", jobId });
  }

  /**
   * Starts a run of one of the node's schedules: journaled (with its schedule and time) before
   * anything else, announced with a `run` frame, then run like an offered job. A run already
   * held or done (the same schedule and time) is not made twice. Returns whether it started.
   */
  async runScheduled(jobId: string, kind: JobKind, params: unknown, origin: JobOrigin): Promise<boolean> {
    if (this.#stopping || this.#d.journal.get(jobId) || this.#d.journal.isDone(jobId)) return false;
    const entry = await this.#d.journal.accept(jobId, kind, params, 1, { ...origin, missed: false });
    this.#sendRun(entry);
    this.#start(entry, false);
    return true;
  }

  /** Records a run the agent missed (it was down at the time): a job whose one event is a failed result. */
  async recordMissed(
    jobId: string,
    kind: JobKind,
    params: unknown,
    origin: JobOrigin,
    why: string,
  ): Promise<boolean> {
    if (this.#d.journal.get(jobId) || this.#d.journal.isDone(jobId)) return false;
    const entry = await this.#d.journal.accept(jobId, kind, params, 1, { ...origin, missed: true });
    this.#sendRun(entry);
    await this.#emit(jobId, { kind: "result", status: "failed", error: { message: why.slice(0, 16_000) } });
    return true;
  }

  /** Tells the control plane about a scheduled run (before its events; again with each resend). */
  #sendRun(entry: JobEntry): boolean {
    const o = entry.origin;
    if (!o) return true;
    const kind = jobKindSchema.safeParse(entry.kind);
    if (!kind.success) return true;
    return this.#d.send({
      type: "run",
      jobId: entry.jobId,
      scheduleId: o.scheduleId,
      appId: o.appId,
      schedule: o.schedule,
      kind: kind.data,
      params: entry.params,
      scheduledAt: o.scheduledAt,
      missed: o.missed,
    });
  }

  /** Resends one job's unacknowledged events (each cut to the frame limit, for journals written before it). */
  resend(jobId: string): void {
    const entry = this.#d.journal.get(jobId);
    if (!entry) return;
    if (!this.#sendRun(entry)) return;
    for (const e of entry.outbox) {
      if (!this.#d.send({ type: "event", jobId, seq: e.seq, at: e.at, event: fitEvent(e.event) })) return;
    }
  }

  /**
   * The control plane could not take a frame of this job just now (a database error, an event
   * out of order after one it could not store): its accept and unacknowledged events go again
   * after a pause that doubles while the refusals go on. Many refusals coalesce into one resend.
   */
  retryLater(jobId: string): void {
    this.#retries.schedule(jobId, () => {
      const entry = this.#d.journal.get(jobId);
      if (entry && !entry.finished) this.#d.send({ type: "accept", jobId });
      this.status(jobId);
    });
  }

  /**
   * The control plane refused a frame of this job for good (too large, invalid, after its
   * result, over its output limit) and has failed the job. It is stopped here as a cancel would
   * (its handler undoes what it did) and dropped from the journal, so nothing of it is resent.
   */
  async refused(jobId: string, why: string): Promise<void> {
    if (this.#refused.has(jobId)) return;
    this.#refused.add(jobId);
    this.#retries.cancel(jobId);
    this.#d.log.warn(
      "the control plane refused this job's frame and failed the job; stopping and dropping it",
      {
        jobId,
        problem: why,
      },
    );
    this.#running.get(jobId)?.controller.abort(CANCEL);
    if (this.#accepting.has(jobId)) this.#cancelled.add(jobId);
    try {
      await this.#d.journal.drop(jobId);
    } catch (err) {
      this.#d.log.error("could not drop a refused job from the journal", { jobId, err: errorMessage(err) });
    }
  }

  /** After welcome: every unacknowledged event of every job, oldest job first. */
  resendAll(): void {
    for (const entry of this.#d.journal.jobs()) this.resend(entry.jobId);
  }

  /**
   * Stops taking offers, gives running jobs `graceMs` to finish, then aborts the rest with a
   * shutdown reason: they stay `running` in the journal and resume or fail cleanly on the next start.
   */
  async stop(graceMs: number): Promise<void> {
    this.#stopping = true;
    this.#retries.stop();
    const all = () => Promise.allSettled([...this.#running.values()].map((r) => r.done));
    let timer: NodeJS.Timeout | undefined;
    const timedOut = await Promise.race([
      all().then(() => false),
      new Promise<boolean>((r) => {
        timer = setTimeout(() => r(true), graceMs);
      }),
    ]);
    clearTimeout(timer);
    if (timedOut) {
      this.#d.log.warn("jobs still running at shutdown are journaled for the next start", {
        jobs: [...this.#running.keys()],
      });
      for (const r of this.#running.values()) {
        r.stopping.abort(SHUTDOWN);
        r.controller.abort(SHUTDOWN);
      }
      await all();
    }
  }

  #start(entry: JobEntry, resumed: boolean): void {
    const controller = new AbortController();
    const stopping = new AbortController();
    if (this.#cancelled.delete(entry.jobId)) controller.abort(CANCEL);
    const done = this.#run(entry, resumed, controller.signal, stopping.signal).finally(() =>
      this.#running.delete(entry.jobId),
    );
    this.#running.set(entry.jobId, { controller, stopping, done });
  }

  /** Journals an event (cut to fit a frame) and sends it; nothing for a job the control plane refused. */
  async #emit(jobId: string, event: JobEvent): Promise<void> {
    if (this.#refused.has(jobId)) return;
    const stored = await this.#d.journal.appendEvent(jobId, fitEvent(event));
    this.#d.send({ type: "event", jobId, seq: stored.seq, at: stored.at, event: stored.event });
  }

  async #run(entry: JobEntry, resumed: boolean, signal: AbortSignal, stopping: AbortSignal): Promise<void> {
    const { jobId } = entry;
    const log = this.#d.log.child({ jobId, kind: entry.kind });
    // Every text of the job is masked before it is journaled, sent or logged (cut after masking,
    // so no prefix of a secret survives the cut).
    const mask = masker(secretValues(entry.kind, entry.params));
    const ctx: JobContext = {
      jobId,
      signal,
      stopping,
      pve: this.#d.pve,
      nodeName: this.#d.nodeName,
      resumed,
      checkpoints: new Map(entry.checkpoints),
      log: (level, message) =>
        this.#emit(jobId, { kind: "log", level, message: mask(message).slice(0, 16_000) }),
      progress: (percent, message) =>
        this.#emit(jobId, {
          kind: "progress",
          percent: Math.min(100, Math.max(0, percent)),
          message: message === undefined ? undefined : mask(message).slice(0, 2000),
        }),
      step: (step, status, message, facts) =>
        this.#emit(jobId, {
          kind: "step",
          step: step.slice(0, 100),
          status,
          message: message === undefined ? undefined : mask(message).slice(0, 2000),
          ...(facts ? { facts } : {}),
        }),
      checkpoint: async (name, data) => {
        if (!this.#refused.has(jobId)) await this.#d.journal.checkpoint(jobId, name, data);
      },
    };
    let result: Extract<JobEvent, { kind: "result" }>;
    let release = () => {};
    try {
      if (entry.origin && !entry.origin.missed) {
        if (this.#scheduled.free === 0)
          await ctx.log(
            "info",
            `waiting for a free slot: ${this.#scheduled.size} scheduled runs at a time on this node`,
          );
        release = await this.#scheduled.take(signal).catch((reason: unknown) => {
          throw reason === CANCEL ? new JobError("cancelled while waiting for a free slot") : reason;
        });
      }
      if (resumed) await ctx.log("warn", "the agent restarted while this job ran; picking it up again");
      if (signal.reason === CANCEL) throw new JobError("cancelled before it started");
      if (entry.unreadable)
        throw new JobError(
          `this job's secrets could not be read back after the agent restarted (${entry.unreadable}); run it again (redeploy)`,
        );
      const data = await runJob(entry.kind, entry.params, ctx);
      result = { kind: "result", status: "succeeded", result: data };
    } catch (err) {
      // A shutdown (also one that interrupts the undo of a cancelled job) leaves the job to resume.
      if (signal.reason === SHUTDOWN || stopping.aborted) {
        log.info("job left running in the journal at shutdown");
        return;
      }
      const step = err instanceof JobError ? err.step : undefined;
      const data = err instanceof JobError && err.data !== undefined ? { result: err.data } : {};
      const message = mask(errorMessage(err)).slice(0, 16_000);
      if (signal.reason === CANCEL)
        result = { kind: "result", status: "cancelled", error: { message, step }, ...data };
      else {
        if (!(err instanceof JobError)) log.error("job failed unexpectedly", { err: message });
        result = { kind: "result", status: "failed", error: { message, step }, ...data };
      }
    } finally {
      release();
    }
    if (signal.reason === SHUTDOWN || stopping.aborted) return;
    try {
      await this.#emit(jobId, result);
      log.info("job finished", { status: result.status });
      this.#d.onFinished?.(entry.kind);
    } catch (err) {
      log.error("could not record a job result", { err: errorMessage(err) });
    }
  }
}
