// Schedules that live on the node (issue 12): the control plane pushes them, the agent keeps them
// in its state directory and runs them with croner, link or no link. Each run is a job the agent
// makes itself (`run_<schedule>_<time>`), journaled and reported like an offered one.
import { type NodeSchedule, scheduledJobId } from "@pylon/shared/protocol/index";
import { Cron } from "croner";
import type { Logger } from "../log.ts";
import { errorMessage } from "../util/errors.ts";
import { readScheduleState, type ScheduleState, writeScheduleState } from "./store.ts";

/** The most missed runs recorded per schedule at start; more are counted in the log. */
export const MAX_MISSED_PER_SCHEDULE = 20;

export interface SchedulerDeps {
  stateDir: string;
  log: Logger;
  now?: () => number;
  /** Starts a run (journal, `run` frame, handler); false when that run is already held or done. */
  run(s: NodeSchedule, scheduledAt: number, jobId: string): Promise<boolean>;
  /** Records a run that did not happen, saying why. */
  missed(s: NodeSchedule, scheduledAt: number, jobId: string, why: string): Promise<boolean>;
  /** Whether the job is held or done (the run happened, or was recorded missed). */
  known(jobId: string): boolean;
  /** Whether the job is still running (two runs of one schedule never overlap). */
  running(jobId: string): boolean;
}

const sameSchedule = (a: NodeSchedule, b: NodeSchedule) =>
  a.cron === b.cron &&
  a.timezone === b.timezone &&
  a.kind === b.kind &&
  JSON.stringify(a.params) === JSON.stringify(b.params);

/** Runs the node's schedules; `start` once, `replace` whenever the control plane pushes them. */
export class Scheduler {
  #d: SchedulerDeps;
  #now: () => number;
  #state: ScheduleState = { schedules: [], since: {}, last: {} };
  /** The schedules armed, by id. */
  #armed = new Map<string, NodeSchedule>();
  /**
   * One croner timer per distinct expression and zone, shared by every schedule that has it (a
   * node default gives all its apps the same one): memory and wake-ups grow with the distinct
   * expressions, not with the schedules (test/bench/schedules).
   */
  #timers = new Map<string, { cron: Cron; members: Map<string, NodeSchedule> }>();
  /** The job of each schedule's latest run, to keep the next from overlapping it. */
  #lastJob = new Map<string, string>();
  #saving: Promise<void> = Promise.resolve();
  #saveQueued = false;
  #stopped = false;

  constructor(deps: SchedulerDeps) {
    this.#d = deps;
    this.#now = deps.now ?? Date.now;
  }

  get size(): number {
    return this.#armed.size;
  }

  /** Reads the kept schedules, records the runs missed while the agent was down, starts the timers. */
  async start(): Promise<void> {
    const { state, problem } = await readScheduleState(this.#d.stateDir);
    if (problem) this.#d.log.warn("schedules: starting without kept schedules", { problem });
    this.#state = state;
    const now = this.#now();
    for (const s of state.schedules) await this.#recordMissed(s, now);
    for (const s of state.schedules) this.#arm(s);
    await this.#save();
    if (state.schedules.length)
      this.#d.log.info("schedules: running kept schedules", { count: state.schedules.length });
  }

  /** Takes the control plane's schedules (all of them): new ones start, removed ones stop, changed ones restart. */
  async replace(list: NodeSchedule[]): Promise<void> {
    if (this.#stopped) return;
    const now = this.#now();
    const next = new Map(list.map((s) => [s.id, s]));
    for (const [id, armed] of this.#armed) {
      const s = next.get(id);
      if (!s || !sameSchedule(s, armed)) this.#disarm(armed);
    }
    const since: Record<string, number> = {};
    const last: Record<string, number> = {};
    for (const s of list) {
      since[s.id] = this.#state.since[s.id] ?? now;
      const l = this.#state.last[s.id];
      if (l !== undefined) last[s.id] = l;
    }
    this.#state = { schedules: list, since, last };
    for (const s of list) if (!this.#armed.has(s.id)) this.#arm(s);
    await this.#save();
  }

  /** Stops every timer and writes what it knows. */
  async stop(): Promise<void> {
    this.#stopped = true;
    for (const t of this.#timers.values()) t.cron.stop();
    this.#timers.clear();
    this.#armed.clear();
    await this.#save();
  }

  /** The next run time of each schedule (for the benchmark and tests). */
  nextRuns(): Map<string, number> {
    const out = new Map<string, number>();
    for (const t of this.#timers.values()) {
      const at = t.cron.nextRun()?.getTime();
      if (at !== undefined) for (const id of t.members.keys()) out.set(id, at);
    }
    return out;
  }

  #arm(s: NodeSchedule): void {
    const key = `${s.timezone}\n${s.cron}`;
    let timer = this.#timers.get(key);
    if (!timer) {
      const members = new Map<string, NodeSchedule>();
      let cron: Cron;
      try {
        cron = new Cron(s.cron, { timezone: s.timezone, catch: true }, (self: Cron) => {
          const at = self.currentRun()?.getTime() ?? this.#now();
          for (const m of members.values())
            void this.#fire(m, at).catch((err) =>
              this.#d.log.error("schedules: a run could not be started", {
                scheduleId: m.id,
                err: errorMessage(err),
              }),
            );
        });
      } catch (err) {
        this.#d.log.warn("schedules: an expression croner refuses; not run", {
          scheduleId: s.id,
          cron: s.cron,
          err: errorMessage(err),
        });
        return;
      }
      timer = { cron, members };
      this.#timers.set(key, timer);
    }
    timer.members.set(s.id, s);
    this.#armed.set(s.id, s);
  }

  #disarm(s: NodeSchedule): void {
    this.#armed.delete(s.id);
    const key = `${s.timezone}\n${s.cron}`;
    const timer = this.#timers.get(key);
    if (!timer) return;
    timer.members.delete(s.id);
    if (!timer.members.size) {
      timer.cron.stop();
      this.#timers.delete(key);
    }
  }

  async #fire(s: NodeSchedule, at: number): Promise<void> {
    if (this.#stopped || this.#armed.get(s.id) !== s) return;
    const jobId = scheduledJobId(s.id, at);
    const previous = this.#lastJob.get(s.id);
    this.#mark(s.id, at);
    if (previous && this.#d.running(previous)) {
      // Never two runs of one schedule at once; the skipped time is recorded, not dropped.
      await this.#d.missed(
        s,
        at,
        jobId,
        `the previous run (${previous}) was still running at the scheduled time`,
      );
      return;
    }
    this.#lastJob.set(s.id, jobId);
    await this.#d.run(s, at, jobId);
  }

  /** Scheduled times between the last one handled (or when the schedule came) and `now` that left no run. */
  async #recordMissed(s: NodeSchedule, now: number): Promise<void> {
    const from = this.#state.last[s.id] ?? this.#state.since[s.id] ?? now;
    let probe: Cron;
    try {
      probe = new Cron(s.cron, { timezone: s.timezone, paused: true });
    } catch {
      return;
    }
    const times: number[] = [];
    let total = 0;
    try {
      for (let t = probe.nextRun(new Date(from)); t && t.getTime() <= now; t = probe.nextRun(t)) {
        const at = t.getTime();
        if (this.#d.known(scheduledJobId(s.id, at))) continue;
        total++;
        times.push(at);
        if (times.length > MAX_MISSED_PER_SCHEDULE) times.shift();
        if (total > 100_000) break;
      }
    } finally {
      probe.stop();
    }
    if (total > times.length)
      this.#d.log.warn("schedules: more runs were missed than are recorded one by one", {
        scheduleId: s.id,
        missed: total,
        recorded: times.length,
      });
    for (const at of times) {
      const why =
        total > times.length
          ? `the agent was not running at the scheduled time (${total} runs of this schedule were missed; the latest ${times.length} are listed)`
          : "the agent was not running at the scheduled time";
      await this.#d.missed(s, at, scheduledJobId(s.id, at), why);
      this.#mark(s.id, at);
    }
    if (times.length)
      this.#d.log.warn("schedules: runs missed while the agent was down", {
        scheduleId: s.id,
        missed: total,
      });
  }

  #mark(id: string, at: number): void {
    if ((this.#state.last[id] ?? 0) < at) this.#state.last[id] = at;
    this.#saveSoon();
  }

  /** Writes the state at most about once a second: a lost write only makes a run look missed that the journal knows ran. */
  #saveSoon(): void {
    if (this.#saveQueued) return;
    this.#saveQueued = true;
    const t = setTimeout(() => void this.#save(), 1000);
    t.unref();
  }

  #save(): Promise<void> {
    this.#saveQueued = false;
    const state = this.#state;
    this.#saving = this.#saving
      .then(() => writeScheduleState(this.#d.stateDir, state))
      .catch((err) =>
        this.#d.log.error("schedules: could not write schedules.json", { err: errorMessage(err) }),
      );
    return this.#saving;
  }
}
