import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Sim, startSimulator } from "../src/index.ts";
import { control, createCt, run } from "./client.ts";

let sim: Sim;

beforeAll(async () => {
  sim = await startSimulator({ auth401DelayMs: 0, ssh: false });
  await createCt(sim, 101);
});
afterAll(() => sim.stop());

describe("shutdown with a timeout, as PVE does it", () => {
  it("shuts a CT down cleanly", async () => {
    await run(sim, "POST", "/nodes/pve/lxc/101/status/start");
    const t = await run(sim, "POST", "/nodes/pve/lxc/101/status/shutdown", { timeout: 30 });
    expect(t.status.exitstatus).toBe("OK");
    expect(sim.world.guests.get(101)?.status).toBe("stopped");
  });

  it("a CT that does not go down in time: the task fails, or with forceStop is stopped with a warning", async () => {
    await run(sim, "POST", "/nodes/pve/lxc/101/status/start");
    await control(sim, "POST", "/faults", { taskType: "vzshutdown", vmid: 101, action: "hang" });
    const failed = await run(sim, "POST", "/nodes/pve/lxc/101/status/shutdown", { timeout: 5 });
    expect(failed.status.exitstatus).toBe("command 'lxc-stop -n 101 --timeout 5' failed: got timeout");
    expect(sim.world.guests.get(101)?.status).toBe("running");
    await control(sim, "POST", "/faults", { taskType: "vzshutdown", vmid: 101, action: "hang" });
    const forced = await run(sim, "POST", "/nodes/pve/lxc/101/status/shutdown", { timeout: 5, forceStop: 1 });
    expect(forced.status.exitstatus).toBe("WARNINGS: 1");
    expect(sim.world.guests.get(101)?.status).toBe("stopped");
  });
});
