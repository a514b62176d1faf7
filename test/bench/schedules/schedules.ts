// An agent with 1,000 schedules (issue 12): its RSS with them armed beside the same process
// before (same run), and how late each run fires: from the scheduled time to the scheduler's
// callback, and to the run being durable in the journal (accept + result, fsynced). All 1,000
// fire in the same second (the worst case: "*/10 * * * * *"), for BENCH_ROUNDS rounds.
// Schedules with the same expression share one croner timer; the last figure is the other end,
// 1,000 distinct expressions. Run with --expose-gc so RSS is read after a collection:
//   node --expose-gc --import tsx test/bench/schedules/schedules.ts   [BENCH_SCHEDULES=1000 BENCH_ROUNDS=3]
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { Journal } from "../../../packages/agent/src/journal/journal.ts";
import { createLogger } from "../../../packages/agent/src/log.ts";
import { Scheduler } from "../../../packages/agent/src/schedules/scheduler.ts";
import type { NodeSchedule } from "../../../packages/shared/src/protocol/index.ts";

const COUNT = Number(process.env.BENCH_SCHEDULES ?? 1000);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const CRON = process.env.BENCH_CRON ?? "*/10 * * * * *";

const rssMb = () => {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync("/proc/self/status", "utf8"));
  return m ? Number(m[1]) / 1024 : Number.NaN;
};
const pct = (xs: number[], p: number) => {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor((p / 100) * s.length))] ?? Number.NaN;
};
const settle = async () => {
  (globalThis as { gc?: () => void }).gc?.();
  await new Promise((r) => setTimeout(r, 500));
};

const dir = mkdtempSync(join(tmpdir(), "pylon-bench-sched-"));
const log = createLogger("warn");
try {
  const journal = await Journal.open(join(dir, "state"), { log });
  const fired: number[] = [];
  const durable: number[] = [];
  const scheduler = new Scheduler({
    stateDir: join(dir, "state"),
    log,
    known: (id) => journal.get(id) !== undefined || journal.isDone(id),
    running: (id) => journal.get(id)?.finished === false,
    run: async (s, at, jobId) => {
      fired.push(Date.now() - at);
      await journal.accept(jobId, s.kind, s.params, 1, {
        scheduleId: s.id,
        appId: s.appId,
        schedule: s.schedule,
        scheduledAt: at,
        missed: false,
      });
      await journal.appendEvent(jobId, { kind: "result", status: "succeeded", result: {} });
      durable.push(Date.now() - at);
      journal.ack(jobId, 1);
      return true;
    },
    missed: async () => true,
  });
  await scheduler.start();
  await settle();
  const before = rssMb();
  const schedules: NodeSchedule[] = Array.from({ length: COUNT }, (_, i) => ({
    id: `sch_${i.toString(36).padStart(6, "0")}`,
    appId: `app_${i}`,
    schedule: "backup",
    cron: CRON,
    timezone: "UTC",
    kind: "app.backup",
    params: {
      appId: `app_${i}`,
      vmid: 100 + i,
      type: "lxc",
      storage: "local",
      notes: `Pylon app app-${i} · scheduled`,
      retention: { keepLast: 7 },
    },
  }));
  const t0 = performance.now();
  await scheduler.replace(schedules);
  const armMs = performance.now() - t0;
  await settle();
  const armed = rssMb();
  const until = Date.now() + ROUNDS * 10_000 + 2000;
  let peak = armed;
  while (Date.now() < until) {
    await new Promise((r) => setTimeout(r, 250));
    peak = Math.max(peak, rssMb());
  }
  await scheduler.stop();
  await journal.close();
  const f = (xs: number[]) =>
    `p50 ${pct(xs, 50).toFixed(0)} ms, p99 ${pct(xs, 99).toFixed(0)} ms, max ${Math.max(...xs).toFixed(0)} ms`;
  console.log(`schedules: ${COUNT} (cron "${CRON}", all due in the same second), ${fired.length} runs`);
  console.log(`arming ${COUNT} schedules: ${armMs.toFixed(0)} ms`);
  console.log(
    `RSS: ${before.toFixed(1)} MB without schedules, ${armed.toFixed(1)} MB with them armed (+${(armed - before).toFixed(1)} MB, ${(((armed - before) * 1024) / COUNT).toFixed(1)} KB each), peak while running ${peak.toFixed(1)} MB`,
  );
  console.log(`lateness, scheduled time -> callback: ${f(fired)}`);
  console.log(`lateness, scheduled time -> run durable in the journal: ${f(durable)}`);

  // The other end: every schedule its own expression (one croner timer each); RSS only.
  const distinct = new Scheduler({
    stateDir: join(dir, "state2"),
    log,
    known: () => false,
    running: () => false,
    run: async () => true,
    missed: async () => true,
  });
  await distinct.start();
  await settle();
  const before2 = rssMb();
  await distinct.replace(
    schedules.map((s, i) => ({ ...s, cron: `${i % 60} ${Math.floor(i / 60) % 60} ${i % 24} * * *` })),
  );
  await settle();
  const armed2 = rssMb();
  await distinct.stop();
  console.log(
    `RSS with ${COUNT} distinct expressions (one timer each): +${(armed2 - before2).toFixed(1)} MB (${(((armed2 - before2) * 1024) / COUNT).toFixed(1)} KB each)`,
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
}
