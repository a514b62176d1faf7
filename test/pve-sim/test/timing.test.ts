import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Sim, startSimulator } from "../src/index.ts";
import { control, createCt, ok, run, TEMPLATE, waitTask } from "./client.ts";

let sim: Sim;
beforeAll(async () => {
  // 1/20 of real time: create takes ~0.4-1.5 s, the DHCP lease 0.1-0.5 s after start.
  sim = await startSimulator({ auth401DelayMs: 0, ssh: false, clockScale: 0.05 });
});
afterAll(() => sim.stop());

describe("scaled clock", () => {
  it("grows the task log while the task runs", async () => {
    const upid = await ok(sim, "POST", "/nodes/pve/lxc", {
      vmid: 101,
      ostemplate: TEMPLATE,
      rootfs: "local-lvm:4",
      net0: "name=eth0,bridge=vmbr0,ip=dhcp",
    });
    // No fixed sleep: read the log as soon as it has a line (the extraction that follows takes at
    // least 0.4 s of scaled time, the margin a slow machine eats into).
    let during: { t: string }[] = [];
    while (during.length === 0) during = await ok(sim, "GET", `/nodes/pve/tasks/${upid}/log`);
    expect((await ok(sim, "GET", `/nodes/pve/tasks/${upid}/status`)).status).toBe("running");
    const done = await waitTask(sim, upid);
    expect(done.log.length).toBeGreaterThan(during.length);
    expect(during.map((l) => l.t)).not.toContain("TASK OK");
  });

  it("gives the address only some time after start (DHCP-like)", async () => {
    await run(sim, "POST", "/nodes/pve/lxc/101/status/start");
    const first = (await ok(sim, "GET", "/nodes/pve/lxc/101/interfaces")).find(
      (i: { name: string }) => i.name === "eth0",
    );
    expect(first.inet).toBeUndefined();
    let inet: string | undefined;
    for (let i = 0; i < 750 && !inet; i++) {
      await new Promise((r) => setTimeout(r, 20));
      inet = (await ok(sim, "GET", "/nodes/pve/lxc/101/interfaces")).find(
        (x: { name: string }) => x.name === "eth0",
      ).inet;
    }
    expect(inet).toMatch(/^127\.77\./);
  });

  it("shows lock backup while vzdump runs", async () => {
    await control(sim, "POST", "/faults", { taskType: "vzdump", vmid: 101, action: "hang" });
    const upid = await ok(sim, "POST", "/nodes/pve/vzdump", { vmid: 101, storage: "local" });
    let lock: string | undefined;
    for (let i = 0; i < 1500 && !lock; i++) {
      lock = (await ok(sim, "GET", "/nodes/pve/lxc/101/status/current")).lock;
      if (!lock) await new Promise((r) => setTimeout(r, 10));
    }
    expect(lock).toBe("backup");
    await ok(sim, "DELETE", `/nodes/pve/tasks/${upid}`);
    const r = await waitTask(sim, upid);
    expect(r.status.exitstatus).toBe("job errors");
    expect((await ok(sim, "GET", "/nodes/pve/lxc/101/status/current")).lock).toBeUndefined();
  });

  it("reboots a CT and restores a VM from its backup", async () => {
    expect((await run(sim, "POST", "/nodes/pve/lxc/101/status/reboot")).status.exitstatus).toBe("OK");
    await createCt(sim, 102);
    const b = await run(sim, "POST", "/nodes/pve/vzdump", {
      vmid: 9000,
      storage: "local",
      mode: "stop",
      compress: "zstd",
    });
    expect(b.status.exitstatus).toBe("OK");
    const [vol] = await ok(sim, "GET", "/nodes/pve/storage/local/content", { content: "backup", vmid: 9000 });
    expect(vol.volid).toMatch(/^local:backup\/vzdump-qemu-9000-.*\.vma\.zst$/);
    const r = await run(sim, "POST", "/nodes/pve/qemu", { vmid: 400, archive: vol.volid, unique: 1 });
    expect(r.status.type).toBe("qmrestore");
    expect(r.status.exitstatus).toBe("OK");
    expect((await ok(sim, "GET", "/nodes/pve/qemu/400/config")).name).toBe("debian-12-cloudinit");
  }, 20_000);
});
