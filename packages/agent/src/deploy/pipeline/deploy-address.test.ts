import type { Sim } from "@pylon/pve-sim";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { caddyInstalled, startCaddy, type TestCaddy } from "../../routes/testing.ts";
import { startTestSim } from "../../testing/sim.ts";
import { type AppJobDeps, configureAppJobs } from "./deps.ts";
import { composeDeploy, deploy, testContext, testDeps } from "./testing.ts";

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

describe.skipIf(!caddyInstalled())("the guest's address once Docker runs in it", () => {
  it("a redeploy right after a restart waits for eth0's lease instead of taking docker0's 172.17.0.1", async () => {
    const first = await deploy(composeDeploy("addr", 8080), testContext(sim));
    const g = sim.world.guests.get(first.vmid)!;
    // As after a CT restart: Docker (docker0, the project's bridge) is up, DHCP has not answered.
    g.addressAt = Date.now() + 1500;
    const again = await deploy(
      composeDeploy("addr", 8080, { mode: "redeploy", vmid: first.vmid }),
      testContext(sim),
    );
    expect(again.address).toBe(g.address);
    expect(again.address).not.toBe("172.17.0.1");
  }, 60_000);
});
