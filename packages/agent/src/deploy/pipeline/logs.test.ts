import { execFileSync } from "node:child_process";
import type { Sim } from "@pylon/pve-sim";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CANCELLED, JobError } from "../../jobs/types.ts";
import { caddyInstalled, startCaddy, type TestCaddy } from "../../routes/testing.ts";
import { startTestSim } from "../../testing/sim.ts";
import { type AppJobDeps, configureAppJobs } from "./deps.ts";
import { LineSplitter } from "./line-splitter.ts";
import { appLogs, LogRelay, logsCommand, MAX_LINES_PER_SECOND } from "./logs.ts";
import { composeDeploy, deploy, runJob, testContext, testDeps } from "./testing.ts";

let sim: Sim;
let caddy: TestCaddy;
let deps: AppJobDeps & { cleanup(): Promise<void> };
let vmid: number;
let address: string;
const PORT = 8640;

beforeAll(async () => {
  [sim, caddy] = await Promise.all([startTestSim(), startCaddy()]);
  deps = await testDeps(sim, caddy);
  configureAppJobs(deps);
  if (!caddyInstalled()) return;
  const result = await deploy(composeDeploy("logsapp", PORT), testContext(sim));
  vmid = result.vmid;
  address = result.address;
}, 90_000);
afterAll(async () => {
  configureAppJobs(undefined);
  await Promise.all([sim?.stop(), caddy?.stop(), deps?.cleanup()]);
});

/** Processes on this machine (host and simulated guests alike) still following logs. */
function followers(): string[] {
  const ps = execFileSync("ps", ["-eo", "pid,args"], { encoding: "utf8" });
  return ps.split("\n").filter((l) => l.includes("logs") && l.includes("--follow") && !l.includes("vitest"));
}

async function until<T>(what: string, fn: () => T | undefined, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = fn();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

describe("logsCommand", () => {
  it("is fixed argv: nothing but the tail count comes from the caller", () => {
    expect(logsCommand({ compose: ["docker", "compose", "-p", "web"] }, 20, true)).toEqual([
      "docker",
      "compose",
      "-p",
      "web",
      "logs",
      "--no-color",
      "--timestamps",
      "--tail",
      "20",
      "--follow",
    ]);
    expect(logsCommand({ container: "pylon-web" }, 0, false)).toEqual([
      "docker",
      "logs",
      "--timestamps",
      "--tail",
      "0",
      "pylon-web",
    ]);
  });
});

describe("the follow relay", () => {
  it("splits chunks into lines, batches them and drops what goes past the line rate, saying so", async () => {
    const ctx = testContext(sim);
    const relay = new LogRelay(ctx, 10);
    const split = new LineSplitter((l) => relay.line(l));
    split.push("stdout", Buffer.from("first li"));
    split.push("stdout", Buffer.from("ne\r\nsecond\n"));
    split.push("stderr", Buffer.from("an error\n"));
    for (let i = 0; i < 2000; i++) split.push("stdout", Buffer.from(`flood ${i}\n`));
    split.push("stdout", Buffer.from("no newline at the end"));
    split.end();
    await relay.close();
    const info = ctx.events.flatMap((e) =>
      e.kind === "log" && e.level === "info" ? e.message.split("\n") : [],
    );
    expect(info.slice(0, 3)).toEqual(["first line", "second", "an error"]);
    // The tail (10) and a burst (500) pass at once; the rest of the flood is dropped.
    expect(info.length).toBeLessThan(520 + MAX_LINES_PER_SECOND);
    expect(relay.dropped).toBeGreaterThan(1400);
    const warn = ctx.events.find((e) => e.kind === "log" && e.level === "warn");
    expect(warn).toMatchObject({
      message: expect.stringMatching(/^\d+ lines dropped \(more than 100 lines per second\)$/),
    });
    for (const e of ctx.events) if (e.kind === "log") expect(e.message.length).toBeLessThanOrEqual(16_000);
  });
});

describe.skipIf(!caddyInstalled())("app.logs against the simulator", { timeout: 30_000 }, () => {
  it("returns the last lines of the app's containers, each with the time it was written", async () => {
    const before = Date.now();
    await fetch(`http://${address}:${PORT}/before-${before}`);
    // Read a while later: the time on the line is when it was written, not when it was read.
    await new Promise((r) => setTimeout(r, 1100));
    const ctx = testContext(sim);
    const r = (await runJob(appLogs, { appId: "a", vmid, type: "lxc", follow: false, tail: 1 }, ctx)) as {
      lines: string[];
    };
    expect(r.lines).toHaveLength(1);
    const m = /^logsapp-web-1 {2}\| (\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{9}Z) \S+ GET \/before-\d+$/.exec(
      r.lines[0] ?? "",
    );
    expect(m, r.lines[0]).not.toBeNull();
    const written = Date.parse(m?.[1]?.replace(/(\.\d{3})\d+/, "$1") ?? "");
    expect(written).toBeGreaterThanOrEqual(before - 1000);
    expect(written).toBeLessThan(before + 1000);
  });

  it("follows: the tail, then a line written afterwards; a cancel leaves no follower process", async () => {
    const cancel = new AbortController();
    const ctx = testContext(sim, new Map(), false, cancel.signal);
    const lines = () =>
      ctx.events.flatMap((e) => (e.kind === "log" && e.level === "info" ? e.message.split("\n") : []));
    const job = runJob(appLogs, { appId: "a", vmid, type: "lxc", follow: true, tail: 5 }, ctx).then(
      (r) => {
        expect(r).toEqual({ lines: [], ended: "closed" });
        return undefined;
      },
      (e: unknown) => e,
    );
    await until("the tail", () => lines().find((l) => l.includes("listening on")));
    expect(followers().length).toBeGreaterThan(0);

    const marker = `/followed-${Date.now()}`;
    expect((await fetch(`http://${address}:${PORT}${marker}`)).status).toBe(200);
    const seen = await until("the new line", () => lines().find((l) => l.endsWith(`GET ${marker}`)));
    expect(seen).toMatch(/^logsapp-web-1 {2}\| \d{4}-\d\d-\d\dT\S+Z /);

    // The reader closing the view is not a failure: the job ends with its result, `closed`.
    cancel.abort(CANCELLED);
    expect(await job).toBeUndefined();
    expect(ctx.events.at(-1)).toMatchObject({ kind: "step", step: "logs", status: "succeeded" });
    await until("no follower process", () => followers().length === 0 || undefined);
    // Nothing more arrives once cancelled.
    const count = lines().length;
    await fetch(`http://${address}:${PORT}/after-cancel`);
    await new Promise((r) => setTimeout(r, 400));
    expect(lines().length).toBe(count);
  });

  it("refuses a guest that is not an app's", async () => {
    const err = await runJob(
      appLogs,
      { appId: "a", vmid: 9000, type: "qemu", follow: false, tail: 10 },
      testContext(sim),
    ).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(JobError);
  });
});
