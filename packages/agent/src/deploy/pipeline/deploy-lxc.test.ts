import type { Sim } from "@pylon/pve-sim";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
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

describe.skipIf(!caddyInstalled())("app.deploy of a compose app into an LXC", () => {
  it("creates the CT, runs the app, routes its name through Caddy and snapshots it", async () => {
    const ctx = testContext(sim);
    const result = await deploy(composeDeploy("shop", 8080), ctx);
    expect(result.vmid).toBeGreaterThanOrEqual(100);
    expect(result.address).toMatch(/^127\.77\./);
    expect(result.snapshot).toMatch(/^pylon_\d{8}_\d{6}$/);
    expect(ctx.steps().filter((s) => s.endsWith("succeeded"))).toEqual(
      [
        "reserve",
        "create",
        "start",
        "address",
        "docker",
        "fetch",
        "build",
        "run",
        "health",
        "route",
        "snapshot",
      ].map((s) => `${s} succeeded`),
    );
    const page = await httpsGet("shop.pylon.test", caddy.httpsPort, await caddy.rootCa());
    expect(page.status).toBe(200);
    expect(page.body).toContain("web");

    const guest = (await simState(sim)).guests.find((g) => g.vmid === result.vmid);
    expect(guest?.status).toBe("running");
    expect(guest?.lock).toBeNull();
    expect(guest?.snapshots).toContain(result.snapshot);
    const config = sim.world.guests.get(result.vmid)?.config;
    expect(config).toMatchObject({ hostname: "shop", unprivileged: "1", features: "nesting=1,keyctl=1" });
  });
});
