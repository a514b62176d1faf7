import type { Sim } from "@pylon/pve-sim";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { JobError } from "../../jobs/types.ts";
import { caddyInstalled, httpsGet, startCaddy, type TestCaddy } from "../../routes/testing.ts";
import { startTestSim } from "../../testing/sim.ts";
import { type AppJobDeps, configureAppJobs } from "./deps.ts";
import { composeDeploy, deploy, simState, testContext, testDeps } from "./testing.ts";

let sim: Sim;
let caddy: TestCaddy;
let deps: AppJobDeps & { cleanup(): Promise<void> };

beforeAll(async () => {
  [sim, caddy] = await Promise.all([startTestSim(), startCaddy()]);
  deps = await testDeps(sim, caddy);
  configureAppJobs(deps);
}, 60_000);
afterAll(async () => {
  configureAppJobs(undefined);
  await Promise.all([sim?.stop(), caddy?.stop(), deps?.cleanup()]);
});

describe.skipIf(!caddyInstalled())("app.deploy after an agent restart", { timeout: 30_000 }, () => {
  it("resumes from its checkpoints: done steps are not run again, nothing is undone", async () => {
    const checkpoints = new Map<string, unknown>();
    const stop = new AbortController();
    const first = testContext(sim, checkpoints, false, stop.signal);
    const step = first.step;
    first.step = async (name, status, message) => {
      await step(name, status, message);
      // The agent stops while the docker step runs.
      if (name === "docker" && status === "started") stop.abort(new Error("agent shutdown"));
    };
    const params = composeDeploy("resume", 8600);
    const err = await deploy(params, first).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(JobError);
    expect(first.steps()).not.toContain("create undone");
    expect((await simState(sim)).guests).toHaveLength(2);

    const second = testContext(sim, checkpoints, true);
    const result = await deploy(params, second);
    expect(second.steps()[0]).toBe("docker started");
    expect(second.steps()).not.toContain("create started");
    expect((await simState(sim)).guests.map((g) => g.vmid)).toEqual(
      [result.vmid, 9000].sort((a, b) => a - b),
    );
    const page = await httpsGet("resume.pylon.test", caddy.httpsPort, await caddy.rootCa());
    expect(page.status).toBe(200);
  }, 60_000);
});
