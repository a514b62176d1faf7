import type { Sim } from "@pylon/pve-sim";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { JobError } from "../../jobs/types.ts";
import { caddyInstalled, httpsGet, startCaddy, type TestCaddy } from "../../routes/testing.ts";
import { startTestSim } from "../../testing/sim.ts";
import { pinnedHostKey } from "./connect.ts";
import { type AppJobDeps, configureAppJobs } from "./deps.ts";
import { NODE_APP, type ServedRepo, serveRepo } from "./git-fixture.ts";
import { composeDeploy, deploy, testContext, testDeps } from "./testing.ts";

let sim: Sim;
let caddy: TestCaddy;
let deps: AppJobDeps & { cleanup(): Promise<void> };
let repo: ServedRepo;
let vmid = 0;

beforeAll(async () => {
  [sim, caddy, repo] = await Promise.all([startTestSim({ ssh: true }), startCaddy(), serveRepo(NODE_APP)]);
  deps = await testDeps(sim, caddy);
  configureAppJobs(deps);
}, 60_000);
afterAll(async () => {
  configureAppJobs(undefined);
  await Promise.all([sim?.stop(), caddy?.stop(), deps?.cleanup(), repo?.close()]);
});

describe.skipIf(!caddyInstalled())("app.deploy of a Git repository into a VM", { timeout: 30_000 }, () => {
  it("clones the template, pins the SSH host key, builds the Node app from its Dockerfile and routes it", async () => {
    const ctx = testContext(sim);
    const params = composeDeploy("hello", 8300, {
      source: { type: "git", url: repo.url, ref: "main", buildMode: "auto" },
      env: { GREETING: "hi" },
    });
    params.guest.type = "qemu";
    const result = await deploy(params, ctx);
    expect(result.commit).toBe(repo.commit);
    expect(ctx.steps()).toContain("snapshot succeeded");
    expect(
      ctx.events.some((e) => e.kind === "log" && /^plan: Dockerfile from dockerfile at /.test(e.message)),
    ).toBe(true);

    const page = await httpsGet("hello.pylon.test", caddy.httpsPort, await caddy.rootCa());
    expect(page.status).toBe(200);
    expect(page.body).toBe("hello from the fixture app");

    const vm = sim.world.guests.get(result.vmid);
    expect(vm?.config).toMatchObject({ ciuser: "pylon", ipconfig0: "ip=dhcp", name: "hello" });
    expect(decodeURIComponent(String(vm?.config.sshkeys))).toContain("pylon-agent");
    const pin = await pinnedHostKey(deps.stateDir, result.vmid);
    expect(pin?.key).toMatch(/^ssh-/);
    vmid = result.vmid;
  }, 60_000);

  it("rolls a failed VM redeploy back over the pinned SSH key and starts it again", async () => {
    const ctx = testContext(sim);
    const params = composeDeploy("hello", 8300, {
      mode: "redeploy",
      vmid,
      source: { type: "git", url: repo.url, ref: "main", buildMode: "auto" },
      http: { port: 8300, path: "/", expectStatus: [418], timeoutSeconds: 1 },
    });
    params.guest.type = "qemu";
    const err = await deploy(params, ctx).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(JobError);
    expect((err as JobError).message).toMatch(/; rolled back to snapshot pylon_/);
    expect(sim.world.tasks.tasks.some((t) => t.type === "qmrollback" && t.id === String(vmid))).toBe(true);
    expect(ctx.steps()).toEqual(expect.arrayContaining(["run undone", "snapshot undone"]));
    expect(sim.world.guests.get(vmid)?.status).toBe("running");
  }, 60_000);

  it("refuses a Git URL scheme that is not allowed, before creating anything", async () => {
    const params = composeDeploy("local-file", 8301, {
      source: { type: "git", url: "file:///etc", ref: "main", buildMode: "auto" },
    });
    await expect(deploy(params, testContext(sim))).rejects.toThrow(/Git URL must use/);
  });
});
