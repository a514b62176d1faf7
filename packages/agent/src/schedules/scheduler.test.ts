// The node's own scheduler: kept across restarts, missed runs recorded (never run late in a
// burst), no two runs of one schedule at once.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { type NodeSchedule, scheduledJobId } from "@pylon/shared/protocol/index";
import { afterAll, describe, expect, it } from "vitest";
import { createLogger } from "../log.ts";
import { Scheduler, type SchedulerDeps } from "./scheduler.ts";
import { readScheduleState, writeScheduleState } from "./store.ts";

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

const schedule = (id: string, cron: string): NodeSchedule => ({
  id,
  appId: "app_1",
  schedule: "backup",
  cron,
  timezone: "UTC",
  kind: "app.backup",
  params: { appId: "app_1" },
});

function harness(dir: string, opts: { running?: boolean } = {}) {
  const runs: number[] = [];
  const missed: { at: number; why: string }[] = [];
  const held = new Set<string>();
  const deps: SchedulerDeps = {
    stateDir: dir,
    log: createLogger("error"),
    known: (id) => held.has(id),
    running: () => opts.running ?? false,
    run: async (_s, at, jobId) => {
      held.add(jobId);
      runs.push(at);
      return true;
    },
    missed: async (_s, at, jobId, why) => {
      held.add(jobId);
      missed.push({ at, why });
      return true;
    },
  };
  return { scheduler: new Scheduler(deps), runs, missed, held };
}

describe("Scheduler", () => {
  it("keeps pushed schedules and runs them after a restart without the control plane", async () => {
    const dir = mkdtempSync(join(tmpdir(), "pylon-sched-"));
    dirs.push(dir);
    const a = harness(dir);
    await a.scheduler.start();
    await a.scheduler.replace([schedule("sch_a", "* * * * * *")]);
    await a.scheduler.stop();
    const { state } = await readScheduleState(dir);
    expect(state.schedules.map((s) => s.id)).toEqual(["sch_a"]);
    const b = harness(dir);
    await b.scheduler.start();
    expect(b.scheduler.size).toBe(1);
    await new Promise((r) => setTimeout(r, 2300));
    await b.scheduler.stop();
    expect(b.runs.length).toBeGreaterThanOrEqual(1);
    for (const at of b.runs) expect(at % 1000).toBe(0);
  });

  it("records each scheduled time passed while it was down as missed, and runs none of them late", async () => {
    const dir = mkdtempSync(join(tmpdir(), "pylon-sched-"));
    dirs.push(dir);
    const now = Date.now();
    const last = Math.floor(now / 60_000) * 60_000 - 5 * 60_000;
    await writeScheduleState(dir, {
      schedules: [schedule("sch_m", "* * * * *")],
      since: { sch_m: last - 1 },
      last: { sch_m: last },
    });
    const h = harness(dir);
    // One of the passed times did run (the journal holds it): not missed.
    h.held.add(scheduledJobId("sch_m", last + 60_000));
    await h.scheduler.start();
    await h.scheduler.stop();
    expect(h.runs).toEqual([]);
    expect(h.missed.map((m) => m.at)).toEqual(
      [2, 3, 4, 5].map((k) => last + k * 60_000).filter((t) => t <= now),
    );
    expect(h.missed[0]?.why).toMatch(/not running at the scheduled time/);
    const { state } = await readScheduleState(dir);
    expect(state.last.sch_m).toBe(h.missed.at(-1)?.at);
  });

  it("never starts a run while the schedule's previous run still runs; the skipped time is recorded", async () => {
    const dir = mkdtempSync(join(tmpdir(), "pylon-sched-"));
    dirs.push(dir);
    const h = harness(dir, { running: true });
    await h.scheduler.start();
    await h.scheduler.replace([schedule("sch_o", "* * * * * *")]);
    await new Promise((r) => setTimeout(r, 2300));
    await h.scheduler.stop();
    expect(h.runs.length).toBe(1);
    expect(h.missed.length).toBeGreaterThanOrEqual(1);
    expect(h.missed[0]?.why).toMatch(/previous run .* still running/);
  });
});
