import type { Sim } from "@pylon/pve-sim";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { JobError } from "../../jobs/types.ts";
import { CaddyRoutes } from "../../routes/caddy-routes.ts";
import { caddyInstalled, startCaddy, type TestCaddy } from "../../routes/testing.ts";
import { startTestSim } from "../../testing/sim.ts";
import { type AppJobDeps, configureAppJobs } from "./deps.ts";
import { appDiagnostics } from "./diagnostics.ts";
import { appAction, appDelete, appResize } from "./manage.ts";
import { composeDeploy, deploy, runJob, simState, testContext, testDeps } from "./testing.ts";

let sim: Sim;
let caddy: TestCaddy;
let deps: AppJobDeps & { cleanup(): Promise<void> };
let vmid = 0;

beforeAll(async () => {
  [sim, caddy] = await Promise.all([startTestSim(), startCaddy()]);
  deps = await testDeps(sim, caddy);
  configureAppJobs(deps);
  vmid = (await deploy(composeDeploy("notes", 8400, { env: { MODE: "prod" } }), testContext(sim))).vmid;
}, 60_000);
afterAll(async () => {
  configureAppJobs(undefined);
  await Promise.all([sim?.stop(), caddy?.stop(), deps?.cleanup()]);
});

const base = () => ({ appId: "notes", vmid, type: "lxc" as const });
const output = (r: unknown) => (typeof r === "object" && r !== null && "output" in r ? String(r.output) : "");

describe.skipIf(!caddyInstalled())(
  "app.action, app.resize, app.diagnostics, app.delete",
  { timeout: 30_000 },
  () => {
    it("diagnostics run their fixed commands in the guest and never show the app environment", async () => {
      const logs = output(
        await runJob(appDiagnostics, { ...base(), name: "logs", tail: 5 }, testContext(sim)),
      );
      expect(logs).toContain("logs --no-color --tail 5");
      const status = output(await runJob(appDiagnostics, { ...base(), name: "status" }, testContext(sim)));
      expect(status).toContain("notes-web-1");
      const disk = output(await runJob(appDiagnostics, { ...base(), name: "disk" }, testContext(sim)));
      expect(disk).toMatch(/^\$ df -h\n.*Filesystem/s);
      const config = output(await runJob(appDiagnostics, { ...base(), name: "config" }, testContext(sim)));
      expect(config).not.toContain("prod");
    });

    it("stops, starts and restarts the guest", async () => {
      await runJob(appAction, { ...base(), action: "stop" }, testContext(sim));
      expect(sim.world.guests.get(vmid)?.status).toBe("stopped");
      await runJob(appAction, { ...base(), action: "stop" }, testContext(sim));
      await runJob(appAction, { ...base(), action: "restart" }, testContext(sim));
      expect(sim.world.guests.get(vmid)?.status).toBe("running");
      await runJob(appAction, { ...base(), action: "restart" }, testContext(sim));
      expect(sim.world.guests.get(vmid)?.status).toBe("running");
    });

    it("stops with a clean shutdown, and stops hard only a guest still running after the timeout", async () => {
      const tasks = () => sim.world.tasks.tasks.filter((t) => t.id === String(vmid)).map((t) => t.type);
      const before = tasks().length;
      await runJob(appAction, { ...base(), action: "stop" }, testContext(sim));
      expect(tasks().slice(before)).toEqual(["vzshutdown"]);
      await runJob(appAction, { ...base(), action: "start" }, testContext(sim));
      // An OS that never finishes shutting down (a process ignoring SIGTERM).
      sim.world.faults.add({ taskType: "vzshutdown", vmid, action: "hang" });
      await runJob(appAction, { ...base(), action: "stop" }, testContext(sim));
      expect(sim.world.guests.get(vmid)?.status).toBe("stopped");
      const last = sim.world.tasks.tasks.filter((t) => t.id === String(vmid)).at(-1);
      expect([last?.type, last?.exitstatus]).toEqual(["vzshutdown", "WARNINGS: 1"]);
      expect(last?.log).toContain("WARN: shutdown failed - forcing stop now");
      await runJob(appAction, { ...base(), action: "start" }, testContext(sim));
    });

    it("resizes cores and memory live, grows the disk and passes Proxmox's refusal of a shrink", async () => {
      await runJob(appResize, { ...base(), cores: 2, memoryMb: 1024, diskGb: 6 }, testContext(sim));
      const config = sim.world.guests.get(vmid)?.config;
      expect(config).toMatchObject({ cores: "2", memory: "1024" });
      expect(String(config?.rootfs)).toContain("size=6G");
      const err = await runJob(appResize, { ...base(), diskGb: 3 }, testContext(sim)).catch(
        (e: unknown) => e,
      );
      expect(err).toBeInstanceOf(JobError);
      expect((err as JobError).message).toMatch(/^disk failed: .*unable to shrink disk size/);
    });

    it("deletes the route and the guest, and a second delete is a no-op", async () => {
      const params = { ...base(), routeId: "notes", keepBackups: false };
      const first = await runJob(appDelete, params, testContext(sim));
      expect(first).toMatchObject({ destroyed: true });
      const routes = new CaddyRoutes({
        adminUrl: caddy.adminUrl,
        httpsPort: caddy.httpsPort,
        httpPort: caddy.httpPort,
      });
      expect(await routes.listRoutes()).toEqual([]);
      const state = await simState(sim);
      expect(state.guests.map((g) => g.vmid)).toEqual([9000]);
      expect(state.processes.filter((p) => p.kind === "container")).toEqual([]);
      const again = await runJob(appDelete, params, testContext(sim));
      expect(again).toMatchObject({ destroyed: false });
    });
  },
);
