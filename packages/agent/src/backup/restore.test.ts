import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Sim } from "@pylon/pve-sim";
import { appDrillResultSchema } from "@pylon/shared/protocol/index";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { configureAppJobs } from "../deploy/pipeline/deps.ts";
import {
  composeDeploy,
  deploy,
  runJob,
  simState,
  testContext,
  testDeps,
} from "../deploy/pipeline/testing.ts";
import { caddyInstalled, httpsGet, startCaddy, type TestCaddy } from "../routes/testing.ts";
import { addFault, startTestSim } from "../testing/sim.ts";
import { appDrill, drillName } from "./drill.ts";
import { appBackup } from "./handlers.ts";

let sim: Sim;
let caddy: TestCaddy;
let deps: Awaited<ReturnType<typeof testDeps>>;

beforeAll(async () => {
  [sim, caddy] = await Promise.all([startTestSim(), startCaddy()]);
  deps = await testDeps(sim, caddy);
  configureAppJobs(deps);
}, 60_000);
afterAll(async () => {
  configureAppJobs(undefined);
  await Promise.all([sim?.stop(), caddy?.stop(), deps?.cleanup()]);
});
afterEach(async () => {
  await fetch(`${sim.controlUrl}/faults`, { method: "DELETE" });
});

const guestFile = (vmid: number, path: string) => join(sim.stateDir, "guests", String(vmid), "root", path);
const writeData = (vmid: number, text: string) => {
  mkdirSync(guestFile(vmid, "srv/data"), { recursive: true });
  writeFileSync(guestFile(vmid, "srv/data/notes.txt"), text);
};
const served = async (host: string) =>
  (await httpsGet(host, caddy.httpsPort, await caddy.rootCa()).catch(() => ({ status: 0 }))).status;

async function backUp(app: string, vmid: number): Promise<string> {
  const r = await runJob(
    appBackup,
    { appId: app, vmid, type: "lxc", storage: "local", notes: `Pylon app ${app}`, retention: null },
    testContext(sim),
  );
  return (r as { volid: string }).volid;
}

const guests = async () => (await simState(sim)).guests.map((g) => g.vmid).sort((a, b) => a - b);

describe.skipIf(!caddyInstalled())("restores", { timeout: 60_000 }, () => {
  it("restores a backup as a new app with the backup's data, its own name, port and route", async () => {
    const orig = await deploy(composeDeploy("orig", 8100), testContext(sim));
    writeData(orig.vmid, "at backup time\n");
    const volid = await backUp("orig", orig.vmid);
    writeData(orig.vmid, "changed after the backup\n");

    const copy = await deploy(
      composeDeploy("copy", 8101, { mode: "restore", restoreFrom: { storage: "local", volid } }),
      testContext(sim),
    );
    expect(copy.vmid).not.toBe(orig.vmid);
    expect(readFileSync(guestFile(copy.vmid, "srv/data/notes.txt"), "utf8")).toBe("at backup time\n");
    expect(readFileSync(guestFile(orig.vmid, "srv/data/notes.txt"), "utf8")).toBe(
      "changed after the backup\n",
    );
    expect(sim.world.guests.get(copy.vmid)?.config.hostname).toBe("copy");
    expect(sim.world.tasks.tasks.some((t) => t.type === "vzrestore" && t.id === String(copy.vmid))).toBe(
      true,
    );
    expect(await served("orig.pylon.test")).toBe(200);
    expect(await served("copy.pylon.test")).toBe(200);
    expect(copy.snapshot).toMatch(/^pylon_/);
  });

  it("restores in place: a new guest from the backup serves the route, the old one is destroyed", async () => {
    const app = await deploy(composeDeploy("inplace", 8110), testContext(sim));
    writeData(app.vmid, "good data\n");
    const volid = await backUp("inplace", app.vmid);
    writeData(app.vmid, "broken data\n");
    const restored = await deploy(
      composeDeploy("inplace", 8110, {
        mode: "restore",
        restoreFrom: { storage: "local", volid },
        replaces: app.vmid,
      }),
      testContext(sim),
    );
    expect(restored.vmid).not.toBe(app.vmid);
    expect(restored.retired).toBe(app.vmid);
    expect(await guests()).not.toContain(app.vmid);
    expect(readFileSync(guestFile(restored.vmid, "srv/data/notes.txt"), "utf8")).toBe("good data\n");
    expect(await served("inplace.pylon.test")).toBe(200);
    // The backups of the replaced guest stay.
    const local = (await simState(sim)).storages.find((s) => s.storage === "local")!;
    expect(local.volumes.map((v) => v.volid)).toContain(volid);
  });

  it("keeps the original running and routed when a restore in place fails", async () => {
    const app = await deploy(composeDeploy("keeper", 8120), testContext(sim));
    writeData(app.vmid, "the original\n");
    const volid = await backUp("keeper", app.vmid);
    await fetch(`${sim.controlUrl}/volumes/corrupt`, { method: "POST", body: JSON.stringify({ volid }) });
    const before = await guests();
    const err = await deploy(
      composeDeploy("keeper", 8120, {
        mode: "restore",
        restoreFrom: { storage: "local", volid },
        replaces: app.vmid,
      }),
      testContext(sim),
    ).catch((e: unknown) => e);
    expect(String(err)).toMatch(
      /create failed: unable to restore CT \d+ - command 'lxc-usernsexec .* failed: exit code 2/,
    );
    expect(await guests()).toEqual(before);
    const state = await simState(sim);
    expect(state.guests.find((g) => g.vmid === app.vmid)).toMatchObject({ status: "running", lock: null });
    expect(readFileSync(guestFile(app.vmid, "srv/data/notes.txt"), "utf8")).toBe("the original\n");
    expect(await served("keeper.pylon.test")).toBe(200);
  });

  it("finishes a restore interrupted by an agent restart, with one restore task and no orphan", async () => {
    const app = await deploy(composeDeploy("resumed", 8130), testContext(sim));
    const volid = await backUp("resumed", app.vmid);
    await addFault(sim, { taskType: "vzrestore", action: "delay", ms: 500 });
    const checkpoints = new Map<string, unknown>();
    const killed = new AbortController();
    const params = composeDeploy("again", 8131, {
      mode: "restore",
      restoreFrom: { storage: "local", volid },
    });
    const first = deploy(params, testContext(sim, checkpoints, false, killed.signal)).catch(
      (e: unknown) => e,
    );
    for (let i = 0; i < 200 && !checkpoints.has("deploy.restore"); i++)
      await new Promise((r) => setTimeout(r, 10));
    killed.abort(new Error("agent stopping"));
    expect(String(await first)).toMatch(/stopped/);
    const result = await deploy(params, testContext(sim, checkpoints, true));
    const restores = sim.world.tasks.tasks.filter(
      (t) => t.type === "vzrestore" && t.id === String(result.vmid),
    );
    expect(restores).toHaveLength(1);
    expect(await guests()).toContain(result.vmid);
    expect((await simState(sim)).guests.filter((g) => g.config.hostname === "again")).toHaveLength(1);
    expect(await served("again.pylon.test")).toBe(200);
  });
});

describe.skipIf(!caddyInstalled())("restore drills", { timeout: 60_000 }, () => {
  const drill = (vmid: number, volid: string | null) => ({
    appId: "drilled",
    name: "drilled",
    type: "lxc" as const,
    storage: "local",
    volid,
    sourceVmid: vmid,
    guestStorage: "local-lvm",
    http: { port: 8140, path: "/", timeoutSeconds: 10 },
  });

  it("passes for a good backup (the newest, when none is named) and destroys its guest", async () => {
    // Catalog composes and Git apps run with a restart policy, so a restored guest runs the app.
    const compose =
      'services:\n  web:\n    image: nginx:1.27-alpine\n    restart: unless-stopped\n    ports:\n      - "8140:80"\n';
    const app = await deploy(
      composeDeploy("drilled", 8140, { source: { type: "compose", compose } }),
      testContext(sim),
    );
    const volid = await backUp("drilled", app.vmid);
    const before = await guests();
    const ctx = testContext(sim);
    const r = appDrillResultSchema.parse(await runJob(appDrill, drill(app.vmid, null), ctx));
    expect(r).toMatchObject({ volid, passed: true, cleaned: true });
    expect(r.detail).toMatch(/^http:\/\/127\.77\.[\d.]+:8140\/ answered 200$/);
    expect(r.vmid).not.toBe(app.vmid);
    expect(await guests()).toEqual(before);
    expect(ctx.steps()).toEqual(
      expect.arrayContaining(["restore succeeded", "health succeeded", "cleanup succeeded"]),
    );
    // No route was made for the drill's guest.
    expect(await served(`${drillName("drilled")}.pylon.test`)).not.toBe(200);
  });

  it("fails for a damaged backup, saying why, and leaves no guest behind", async () => {
    const app = [...sim.world.guests.values()].find((g) => g.config.hostname === "drilled")!;
    const volid = await backUp("drilled", app.vmid);
    await fetch(`${sim.controlUrl}/volumes/corrupt`, { method: "POST", body: JSON.stringify({ volid }) });
    const before = await guests();
    const r = appDrillResultSchema.parse(await runJob(appDrill, drill(app.vmid, volid), testContext(sim)));
    expect(r.passed).toBe(false);
    expect(r.detail).toMatch(/^unable to restore CT \d+ - command .*failed: exit code 2$/);
    expect(await guests()).toEqual(before);
  });

  it("fails when the restored app does not answer its health check", async () => {
    const app = [...sim.world.guests.values()].find((g) => g.config.hostname === "drilled")!;
    const volid = await backUp("drilled", app.vmid);
    const params = {
      ...drill(app.vmid, volid),
      http: { port: 8140, path: "/", expectStatus: [418], timeoutSeconds: 1 },
    };
    const r = appDrillResultSchema.parse(await runJob(appDrill, params, testContext(sim)));
    expect(r.passed).toBe(false);
    expect(r.detail).toMatch(/did not answer 418 within 1 s; last: answered 200/);
    expect(r.cleaned).toBe(true);
  });
});
