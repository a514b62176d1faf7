import type { Sim } from "@pylon/pve-sim";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { addFault, clientFor, createCt, simCall, startTestSim } from "../testing/sim.ts";
import { PveClient } from "./client.ts";
import { PveError } from "./errors.ts";
import { TaskFailedError, waitForTask } from "./tasks.ts";

let sim: Sim;
let legacy: Sim;
beforeAll(async () => {
  [sim, legacy] = await Promise.all([startTestSim(), startTestSim({ legacyErrorBody: true })]);
  await Promise.all([createCt(sim, 101), createCt(legacy, 101)]);
}, 60_000);
afterAll(async () => {
  await Promise.all([sim?.stop(), legacy?.stop()]);
});

describe("PveClient against the simulator", () => {
  it("reads version, node status, resources and storages through the pinned CA", async () => {
    const pve = clientFor(sim);
    expect((await pve.version()).version).toMatch(/^8\./);
    const status = await pve.nodeStatus(sim.node);
    expect(status.memory.total).toBeGreaterThan(0);
    expect(status.loadavg).toHaveLength(3);
    expect(typeof status.loadavg[0]).toBe("number");
    const guests = await pve.clusterResources("vm");
    expect(guests.map((g) => g.vmid)).toEqual(expect.arrayContaining([101, 9000]));
    expect(guests.find((g) => g.vmid === 9000)?.template).toBe(true);
    const storages = await pve.storages(sim.node);
    expect(storages.find((s) => s.storage === "local")?.active).toBe(true);
  });

  it("refuses a server whose certificate does not chain to the configured CA", async () => {
    const pve = new PveClient({
      url: new URL(sim.apiUrl).origin,
      tokenId: sim.token.tokenId,
      tokenSecret: sim.token.secret,
      ca: legacy.caCertPem,
    });
    await expect(pve.version()).rejects.toThrow(/cannot reach the Proxmox API.*(certificate|self.signed)/i);
  });

  it("reports Proxmox's own error text: message body on 8.3+, reason phrase before", async () => {
    for (const s of [sim, legacy]) {
      const pve = clientFor(s);
      await pve
        .guestPower(s.node, "lxc", 101, "start")
        .then((upid) => waitForTask(pve, upid, { intervalMs: 10 }));
      const err = await pve.guestPower(s.node, "lxc", 101, "start").catch((e: unknown) => e);
      expect(err).toBeInstanceOf(PveError);
      expect((err as PveError).message).toBe("CT 101 already running");
      expect((err as PveError).status).toBe(500);
      await pve
        .guestPower(s.node, "lxc", 101, "stop")
        .then((upid) => waitForTask(pve, upid, { intervalMs: 10 }));
    }
    const missing = await clientFor(sim)
      .guestStatus(sim.node, "lxc", 999)
      .catch((e: unknown) => e);
    expect((missing as Error).message).toBe(
      `Configuration file 'nodes/${sim.node}/lxc/999.conf' does not exist`,
    );
  });

  it("names the field of a parameter verification failure", async () => {
    const err = await clientFor(sim)
      .storageContent(sim.node, "local", "bogus")
      .catch((e: unknown) => e);
    expect(err).toBeInstanceOf(PveError);
    expect((err as PveError).status).toBe(400);
    expect((err as PveError).message).toMatch(/^Parameter verification failed\. \(content: /);
  });

  it("says the token was refused", async () => {
    const pve = new PveClient({
      url: new URL(sim.apiUrl).origin,
      tokenId: sim.token.tokenId,
      tokenSecret: "00000000-0000-0000-0000-000000000000",
      ca: sim.caCertPem,
    });
    await expect(pve.version()).rejects.toThrow(/^Authentication failed!.*token/);
  });

  it("waits for tasks: OK, WARNINGS, and the task's own TASK ERROR text", async () => {
    const pve = clientFor(sim);
    await addFault(sim, { taskType: "vzstart", action: "warn" });
    const warned = await waitForTask(pve, await pve.guestPower(sim.node, "lxc", 101, "start"), {
      intervalMs: 10,
    });
    expect(warned).toMatchObject({ exitstatus: "WARNINGS: 1", warnings: 1 });
    await addFault(sim, { taskType: "vzstop", action: "fail", message: "simulated stop failure" });
    const upid = await pve.guestPower(sim.node, "lxc", 101, "stop");
    const failed = await waitForTask(pve, upid, { intervalMs: 10 }).catch((e: unknown) => e);
    expect(failed).toBeInstanceOf(TaskFailedError);
    expect((failed as TaskFailedError).message).toBe("simulated stop failure");
    expect((failed as TaskFailedError).upid).toBe(upid);
    await waitForTask(pve, await pve.guestPower(sim.node, "lxc", 101, "stop"), { intervalMs: 10 });
  });

  it("stops waiting when aborted and leaves the task alone", async () => {
    const pve = clientFor(sim);
    await addFault(sim, { taskType: "vzstart", action: "hang" });
    const upid = await pve.guestPower(sim.node, "lxc", 101, "start");
    const ac = new AbortController();
    setTimeout(() => ac.abort(new Error("cancelled")), 100);
    await expect(waitForTask(pve, upid, { signal: ac.signal, intervalMs: 10 })).rejects.toThrow("cancelled");
    expect((await pve.taskStatus(upid)).status).toBe("running");
    await simCall(sim, "DELETE", `/nodes/${sim.node}/tasks/${upid}`);
  });
});
