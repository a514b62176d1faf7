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
let shop = 0;

beforeAll(async () => {
  // "plain": a directory storage, where a CT is a raw image that cannot take snapshots.
  [sim, caddy] = await Promise.all([
    startTestSim({ storages: [{ id: "plain", type: "dir" }] }),
    startCaddy(),
  ]);
  deps = await testDeps(sim, caddy);
  configureAppJobs(deps);
}, 60_000);
afterAll(async () => {
  configureAppJobs(undefined);
  await Promise.all([sim?.stop(), caddy?.stop(), deps?.cleanup()]);
});

describe.skipIf(!caddyInstalled())("app.deploy of a compose app into an LXC", { timeout: 30_000 }, () => {
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
    shop = result.vmid;
  });

  it("redeploys into the same CT after a snapshot", async () => {
    const ctx = testContext(sim);
    const result = await deploy(composeDeploy("shop", 8080, { mode: "redeploy", vmid: shop }), ctx);
    expect(result.vmid).toBe(shop);
    expect(result.snapshot).toMatch(/^pylon_\d{8}_\d{6}/);
    expect(result.rolledBack).toBeUndefined();
    expect(ctx.steps()).toEqual(
      expect.arrayContaining(["snapshot succeeded", "run succeeded", "health succeeded"]),
    );
    expect(ctx.steps()).not.toContain("create started");
    const page = await httpsGet("shop.pylon.test", caddy.httpsPort, await caddy.rootCa());
    expect(page.status).toBe(200);
  });

  it("rolls a redeploy whose health check fails back to its snapshot and says so", async () => {
    const ctx = testContext(sim);
    const params = composeDeploy("shop", 8080, {
      mode: "redeploy",
      vmid: shop,
      http: { port: 8199, path: "/", timeoutSeconds: 1 },
    });
    const err = await deploy(params, ctx).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(JobError);
    const { message, step } = err as JobError;
    expect(step).toBe("health");
    expect(message).toMatch(/^health failed: .*; rolled back to snapshot pylon_\d{8}_\d{6}/);
    expect(ctx.steps()).toEqual(expect.arrayContaining(["health failed", "run undone", "snapshot undone"]));
    const rollbacks = sim.world.tasks.tasks.filter((t) => t.type === "vzrollback" && t.id === String(shop));
    expect(rollbacks).toHaveLength(1);
    const guest = (await simState(sim)).guests.find((g) => g.vmid === shop);
    expect(guest).toMatchObject({ status: "running", lock: null });
    // The previous deploy's containers are started again after the rollback.
    let status = 0;
    for (let i = 0; i < 300 && status !== 200; i++) {
      status = (await httpsGet("shop.pylon.test", caddy.httpsPort, await caddy.rootCa())).status;
      if (status !== 200) await new Promise((r) => setTimeout(r, 100));
    }
    expect(status).toBe(200);
  });
});

describe.skipIf(!caddyInstalled())("an update on storage without snapshots", { timeout: 30_000 }, () => {
  it("stops before touching the app: no rollback point, no update, the running version stays", async () => {
    const guest = {
      type: "lxc" as const,
      cores: 1,
      memoryMb: 512,
      diskGb: 4,
      storage: "plain",
      bridge: "vmbr0",
    };
    const first = await deploy(composeDeploy("plain", 8081, { guest }), testContext(sim));
    const ctx = testContext(sim);
    const params = composeDeploy("plain", 8081, {
      guest,
      mode: "redeploy",
      vmid: first.vmid,
      update: { from: "1.0", to: "2.0" },
    });
    const err = await deploy(params, ctx).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(JobError);
    expect((err as JobError).message).toMatch(
      /^snapshot failed: no rollback point: .*an update needs a snapshot first/,
    );
    expect(ctx.steps()).not.toContain("run started");
    const page = await httpsGet("plain.pylon.test", caddy.httpsPort, await caddy.rootCa());
    expect(page.status).toBe(200);
  });
});
