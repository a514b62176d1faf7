import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
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

/** A file on the guest's disk (the simulator keeps a guest's disk in its sandbox). */
const guestFile = (vmid: number, path: string) => join(sim.stateDir, "guests", String(vmid), "root", path);

describe.skipIf(!caddyInstalled())("app.deploy in clone mode", { timeout: 30_000 }, () => {
  it("clones a running app's CT with its data into a new one with its own port and name", async () => {
    const first = await deploy(composeDeploy("orig", 8090), testContext(sim));
    mkdirSync(guestFile(first.vmid, "srv/data"), { recursive: true });
    writeFileSync(guestFile(first.vmid, "srv/data/notes.txt"), "written before the clone\n");

    const clone = await deploy(
      composeDeploy("copy", 8091, { mode: "clone", cloneFrom: first.vmid }),
      testContext(sim),
    );
    expect(clone.vmid).not.toBe(first.vmid);
    expect(clone.address).not.toBe(first.address);
    expect(readFileSync(guestFile(clone.vmid, "srv/data/notes.txt"), "utf8")).toBe(
      "written before the clone\n",
    );
    expect(sim.world.guests.get(clone.vmid)?.config.hostname).toBe("copy");
    expect(sim.world.tasks.tasks.some((t) => t.type === "vzclone" && t.id === String(first.vmid))).toBe(true);

    // Both answer by their own name; the source runs on and keeps no clone snapshot.
    for (const host of ["orig.pylon.test", "copy.pylon.test"]) {
      const page = await httpsGet(host, caddy.httpsPort, await caddy.rootCa());
      expect(page.status, host).toBe(200);
    }
    const state = await simState(sim);
    const source = state.guests.find((g) => g.vmid === first.vmid);
    expect(source?.status).toBe("running");
    expect(source?.lock).toBeNull();
    expect(source?.snapshots.filter((s) => s.startsWith("pylon_clone_"))).toEqual([]);
  });

  it("fails naming the step when the guest to clone from is gone, and leaves nothing behind", async () => {
    const before = (await simState(sim)).guests.map((g) => g.vmid).sort();
    const err = await deploy(
      composeDeploy("ghost", 8092, { mode: "clone", cloneFrom: 4242 }),
      testContext(sim),
    )
      .then(() => undefined)
      .catch((e: unknown) => e);
    expect(String(err)).toMatch(/create failed: CT 4242 to clone from does not exist/);
    expect((await simState(sim)).guests.map((g) => g.vmid).sort()).toEqual(before);
    const ghost = await httpsGet("ghost.pylon.test", caddy.httpsPort, await caddy.rootCa()).catch(
      () => undefined,
    );
    expect(ghost?.status ?? 0).not.toBe(200);
  });
});
