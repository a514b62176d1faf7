import type { Clock } from "../clock.ts";
import type { FaultRule, Faults } from "../control/faults.ts";
import { errorText } from "../server/errors.ts";
import { formatUpid } from "./upid.ts";

/** A worker task as PVE's fork_worker runs it. */
export interface Task {
  upid: string;
  node: string;
  pid: number;
  pstart: number;
  starttime: number;
  type: string;
  id: string;
  /** The authid that started it (`root@pam!pylon` for a token). */
  user: string;
  running: boolean;
  exitstatus?: string;
  endtime?: number;
  /** Real start and end in ms (Date.now()), for measurements such as the deploy benchmark. */
  startedMs: number;
  endedMs?: number;
  log: string[];
  /** Whether a reader has seen it running (the status must read `running` at least once). */
  seenRunning: boolean;
  abort: AbortController;
  done: Promise<void>;
}

/** What a worker gets: logging, warnings, the clock, and the fault point. */
export interface WorkerCtx {
  task: Task;
  log(line: string): void;
  warn(line: string): void;
  sleep(simulatedMs: number): Promise<void>;
  signal: AbortSignal;
  /** Applies an injected fault here (fail / hang / warn); workers call it before their side effects. */
  faultPoint(): Promise<void>;
}

/** Starts and keeps worker tasks. */
export class TaskManager {
  readonly tasks: Task[] = [];
  private pid = 0x1000 + Math.floor(Math.random() * 0x1000);

  constructor(
    private readonly node: string,
    private readonly clock: Clock,
    private readonly faults: Faults,
  ) {}

  /** Forks a worker: the UPID is returned at once; the worker runs on the event loop. */
  start(
    type: string,
    id: string,
    user: string,
    fault: FaultRule | undefined,
    worker: (ctx: WorkerCtx) => Promise<void>,
  ): Task {
    // A request fault wins; otherwise a rule naming this task type (and vmid) applies.
    const vmid = Number(id.split("@")[0]);
    fault ??= this.faults.takeForTask(type, Number.isInteger(vmid) && vmid > 0 ? vmid : undefined);
    const pid = ++this.pid;
    const starttime = Math.floor(Date.now() / 1000);
    const pstart = Math.floor(process.uptime() * 100) + pid;
    const upid = formatUpid({ node: this.node, pid, pstart, starttime, type, id, user });
    const abort = new AbortController();
    const task: Task = {
      upid,
      node: this.node,
      pid,
      pstart,
      starttime,
      type,
      id,
      user,
      running: true,
      startedMs: Date.now(),
      log: [],
      seenRunning: false,
      abort,
      done: Promise.resolve(),
    };
    let warnings = 0;
    let faultUsed = false;
    const ctx: WorkerCtx = {
      task,
      log: (line) => task.log.push(line),
      warn: (line) => {
        warnings++;
        task.log.push(`WARN: ${line}`);
      },
      sleep: (ms) => this.clock.sleep(ms, abort.signal),
      signal: abort.signal,
      faultPoint: async () => {
        if (!fault || faultUsed) return;
        faultUsed = true;
        if (fault.action === "fail") throw new Error(fault.message ?? "simulated failure");
        if (fault.action === "warn") ctx.warn(fault.message ?? "simulated warning");
        if (fault.action === "delay")
          await new Promise<void>((resolve, reject) => {
            const t = setTimeout(resolve, fault.ms ?? 1000);
            abort.signal.addEventListener(
              "abort",
              () => {
                clearTimeout(t);
                reject(abort.signal.reason);
              },
              { once: true },
            );
          });
        if (fault.action === "hang") {
          await new Promise<never>((_, reject) =>
            abort.signal.addEventListener("abort", () => reject(abort.signal.reason), { once: true }),
          );
        }
      },
    };
    this.tasks.push(task);
    task.done = (async () => {
      // Let the HTTP answer with the UPID leave before the worker does anything.
      await new Promise((r) => setImmediate(r));
      let error: string | undefined;
      try {
        await worker(ctx);
        await ctx.faultPoint();
      } catch (err) {
        error = errorText(err);
      }
      if (error !== undefined) {
        for (const line of error.split("\n").slice(0, -1)) task.log.push(line);
        const last = error.split("\n").at(-1)!;
        task.log.push(`TASK ERROR: ${last}`);
        task.exitstatus = last;
      } else if (warnings > 0) {
        task.log.push(`TASK WARNINGS: ${warnings}`);
        task.exitstatus = `WARNINGS: ${warnings}`;
      } else {
        task.log.push("TASK OK");
        task.exitstatus = "OK";
      }
      task.endedMs = Date.now();
      task.endtime = Math.floor(task.endedMs / 1000);
      task.running = false;
    })();
    return task;
  }

  /** Finds a task by UPID. */
  get(upid: string): Task | undefined {
    return this.tasks.find((t) => t.upid === upid);
  }

  /** Whether the task reads as running now; a finished task reads running once if never seen so. */
  readRunning(task: Task): boolean {
    if (task.running || !task.seenRunning) {
      task.seenRunning = true;
      return true;
    }
    return false;
  }

  /** Tasks still running (state inspection). */
  active(): Task[] {
    return this.tasks.filter((t) => t.running);
  }

  /** Aborts every running task (simulator stop) and waits for them. */
  async stopAll(): Promise<void> {
    for (const t of this.active()) t.abort.abort(new Error("interrupted by signal"));
    await Promise.allSettled(this.tasks.map((t) => t.done));
  }
}
