import type { Sim } from "@pylon/pve-sim";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CANCELLED, JobError } from "../../jobs/types.ts";
import { CaddyRoutes } from "../../routes/caddy-routes.ts";
import { caddyInstalled, startCaddy, type TestCaddy } from "../../routes/testing.ts";
import type { CommandRunner } from "../../runners/types.ts";
import { startTestSim } from "../../testing/sim.ts";
import { type AppJobDeps, configureAppJobs } from "./deps.ts";
import { composeDeploy, deploy, simState, testContext, testDeps } from "./testing.ts";

let sim: Sim;
let caddy: TestCaddy;
let deps: AppJobDeps & { cleanup(): Promise<void> };
let routes: CaddyRoutes;
/** Set by a test: called when a guest command whose argv includes this word starts. */
let onCommand: { word: string; fire: () => void } | undefined;

beforeAll(async () => {
  [sim, caddy] = await Promise.all([startTestSim(), startCaddy()]);
  deps = await testDeps(sim, caddy);
  routes = new CaddyRoutes({
    adminUrl: caddy.adminUrl,
    httpsPort: caddy.httpsPort,
    httpPort: caddy.httpPort,
  });
  deps.wrapRunner = (_guest, inner): CommandRunner => ({
    push: (source, path, mode) => inner.push(source, path, mode),
    run(argv, opts) {
      const running = inner.run(argv, opts);
      if (onCommand && argv.includes(onCommand.word)) onCommand.fire();
      return running;
    },
  });
  configureAppJobs(deps);
}, 60_000);
afterAll(async () => {
  configureAppJobs(undefined);
  await Promise.all([sim?.stop(), caddy?.stop(), deps?.cleanup()]);
});

/**
 * Runs a deploy that a user cancels when `step` starts, or while a guest command with `word` in
 * its argv runs; returns its error and step events.
 */
async function cancelledAt(name: string, port: number, at: { step: string } | { word: string }) {
  const cancel = new AbortController();
  const ctx = testContext(sim, new Map(), false, cancel.signal);
  const record = ctx.step;
  ctx.step = async (s, status, message) => {
    await record(s, status, message);
    if ("step" in at && s === at.step && status === "started") cancel.abort(CANCELLED);
  };
  onCommand = "word" in at ? { word: at.word, fire: () => cancel.abort(CANCELLED) } : undefined;
  const err = await deploy(composeDeploy(name, port), ctx).then(
    () => undefined,
    (e: unknown) => e,
  );
  onCommand = undefined;
  expect(err).toBeInstanceOf(JobError);
  return { err: err as JobError, steps: ctx.steps() };
}

/** Nothing of the deploy is left: no guest but the template, no lock, no app process, no route. */
async function expectNothingLeft(): Promise<void> {
  const state = await simState(sim);
  expect(state.guests.map((g) => g.vmid)).toEqual([9000]);
  expect(state.guests.filter((g) => g.lock !== null)).toEqual([]);
  expect(state.fileLocks).toEqual([]);
  expect(state.processes.filter((p) => p.kind === "container" || /docker|guest/.test(p.description))).toEqual(
    [],
  );
  expect(await routes.listRoutes()).toEqual([]);
}

describe.skipIf(!caddyInstalled())("a cancelled app.deploy is undone", { timeout: 30_000 }, () => {
  it("cancelled while docker runs in the guest: the guest is destroyed and the job says it was undone", async () => {
    const { err, steps } = await cancelledAt("cancel-docker", 8630, { word: "hello-world" });
    expect(err.step).toBe("docker");
    expect(err.message).toBe("cancelled during docker; what it had done was undone");
    expect(err.data).toEqual({ undone: true });
    expect(steps).toEqual(expect.arrayContaining(["docker failed", "create undone"]));
    expect(steps).not.toContain("fetch started");
    await expectNothingLeft();
  });

  it("cancelled while the build pulls images: the job ends cancelled in the build step, nothing left", async () => {
    const { err, steps } = await cancelledAt("cancel-build", 8632, { word: "pull" });
    expect(err.step).toBe("build");
    expect(err.message).toBe("cancelled during build; what it had done was undone");
    expect(steps).toEqual(expect.arrayContaining(["build failed", "create undone"]));
    expect(steps).not.toContain("run started");
    await expectNothingLeft();
  });

  it("cancelled after the route was published: route, containers and guest are all gone", async () => {
    const { err, steps } = await cancelledAt("cancel-late", 8631, { step: "snapshot" });
    expect(err.step).toBe("snapshot");
    expect(err.message).toMatch(/^cancelled during snapshot; what it had done was undone$/);
    expect(steps).toEqual(
      expect.arrayContaining(["route succeeded", "route undone", "run undone", "create undone"]),
    );
    await expectNothingLeft();
  });
});
