import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Sim, startSimulator } from "../src/index.ts";
import { call, control, createCt, eventually, ok, run, waitTask } from "./client.ts";

let sim: Sim;
beforeAll(async () => {
  sim = await startSimulator({ auth401DelayMs: 0, ssh: false });
  await createCt(sim, 101);
});
afterAll(() => sim.stop());

describe("tasks", () => {
  it("reads running for at least one poll, then stopped with exitstatus and TASK OK", async () => {
    const upid = await ok(sim, "POST", "/nodes/pve/lxc/101/status/start");
    const first = await ok(sim, "GET", `/nodes/pve/tasks/${upid}/status`);
    expect(first.status).toBe("running");
    expect(first).not.toHaveProperty("exitstatus");
    const done = await waitTask(sim, upid);
    expect(done.polls).toBeGreaterThanOrEqual(1);
    expect(done.status.exitstatus).toBe("OK");
    expect(done.log.at(-1)).toBe("TASK OK");
  });

  it("lists tasks with total, filtered by vmid and type", async () => {
    const a = await call(sim, "GET", "/nodes/pve/tasks", { vmid: 101, typefilter: "vzstart" });
    expect(a.body.total).toBe(1);
    expect(a.body.data[0].type).toBe("vzstart");
    expect(a.body.data[0].status).toBe("OK");
    expect(a.body.data[0].endtime).toBeGreaterThan(0);
  });

  it("pages the log with start/limit and total", async () => {
    const all = await ok(sim, "GET", "/nodes/pve/tasks", { typefilter: "vzcreate" });
    const upid = all[0].upid;
    const a = await call(sim, "GET", `/nodes/pve/tasks/${upid}/log`, { start: 1, limit: 2 });
    expect(a.body.data).toHaveLength(2);
    expect(a.body.data[0].n).toBe(2);
    expect(a.body.total).toBeGreaterThan(3);
  });

  it("rejects bad and unknown UPIDs with 400", async () => {
    const bad = await call(sim, "GET", "/nodes/pve/tasks/nope/status");
    expect(bad.status).toBe(400);
    expect(bad.body.errors.upid).toBe("unable to parse worker upid");
    const unknown = await call(
      sim,
      "GET",
      "/nodes/pve/tasks/UPID:pve:00000001:00000001:00000001:vzstart:101:root@pam:/status",
    );
    expect(unknown.body.errors.upid).toBe("no such task");
  });

  it("ends with TASK ERROR and the message when a fault is injected", async () => {
    await control(sim, "POST", "/faults", {
      taskType: "vzstop",
      vmid: 101,
      action: "fail",
      message: "simulated breakage",
    });
    const r = await run(sim, "POST", "/nodes/pve/lxc/101/status/stop");
    expect(r.status.exitstatus).toBe("simulated breakage");
    expect(r.log.at(-1)).toBe("TASK ERROR: simulated breakage");
  });

  it("ends with WARNINGS: 1 on a warn fault", async () => {
    await control(sim, "POST", "/faults", {
      method: "POST",
      path: "/lxc/101/snapshot$",
      action: "warn",
      message: "odd",
    });
    const r = await run(sim, "POST", "/nodes/pve/lxc/101/snapshot", { snapname: "w1" });
    expect(r.status.exitstatus).toBe("WARNINGS: 1");
    expect(r.log).toContain("WARN: odd");
    expect(r.log.at(-1)).toBe("TASK WARNINGS: 1");
  });

  it("keeps a hanging task running until it is stopped", async () => {
    await control(sim, "POST", "/faults", { taskType: "vzsnapshot", action: "hang" });
    const upid = await ok(sim, "POST", "/nodes/pve/lxc/101/snapshot", { snapname: "h1" });
    const lockOf101 = async () =>
      (await control(sim, "GET", "/state")).guests.find((g: { vmid: number }) => g.vmid === 101).lock;
    await eventually(async () => (await lockOf101()) === "snapshot", "the snapshot lock");
    for (let i = 0; i < 3; i++)
      expect((await ok(sim, "GET", `/nodes/pve/tasks/${upid}/status`)).status).toBe("running");
    const state = await control(sim, "GET", "/state");
    expect(state.runningTasks.map((t: { upid: string }) => t.upid)).toContain(upid);
    expect(state.guests.find((g: { vmid: number }) => g.vmid === 101).lock).toBe("snapshot");
    await ok(sim, "DELETE", `/nodes/pve/tasks/${upid}`);
    const r = await waitTask(sim, upid);
    expect(r.log.at(-1)).toBe("TASK ERROR: interrupted by signal");
    expect(
      (await control(sim, "GET", "/state")).guests.find((g: { vmid: number }) => g.vmid === 101).lock,
    ).toBeNull();
  });

  it("runs a delayed task that much longer, then ends OK", async () => {
    // Long enough that the status read right after the POST finds it running on a slow machine.
    await control(sim, "POST", "/faults", { taskType: "vzsnapshot", action: "delay", ms: 1500 });
    const t0 = Date.now();
    const upid = await ok(sim, "POST", "/nodes/pve/lxc/101/snapshot", { snapname: "d1" });
    expect((await ok(sim, "GET", `/nodes/pve/tasks/${upid}/status`)).status).toBe("running");
    const r = await waitTask(sim, upid);
    expect(r.status.exitstatus).toBe("OK");
    expect(Date.now() - t0).toBeGreaterThanOrEqual(1500);
  });
});
