import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Sim, startSimulator } from "../src/index.ts";
import { call, control, createCt, ok, run } from "./client.ts";

let sim: Sim;
beforeAll(async () => {
  sim = await startSimulator({ auth401DelayMs: 0, ssh: false });
  await createCt(sim, 101);
});
afterAll(() => sim.stop());

describe("storages", () => {
  it("lists local (dir) and local-lvm (lvmthin) with capacity", async () => {
    const list = await ok(sim, "GET", "/nodes/pve/storage");
    const local = list.find((s: { storage: string }) => s.storage === "local");
    const lvm = list.find((s: { storage: string }) => s.storage === "local-lvm");
    expect(local).toMatchObject({
      type: "dir",
      content: "iso,vztmpl,backup",
      active: 1,
      enabled: 1,
      shared: 0,
    });
    expect(lvm).toMatchObject({ type: "lvmthin", content: "rootdir,images" });
    expect(lvm.total).toBe(lvm.used + lvm.avail);
    const rootdir = await ok(sim, "GET", "/nodes/pve/storage", { content: "rootdir" });
    expect(rootdir.map((s: { storage: string }) => s.storage)).toEqual(["local-lvm"]);
  });

  it("holds the debian-12 template in local:vztmpl", async () => {
    const tpl = await ok(sim, "GET", "/nodes/pve/storage/local/content", { content: "vztmpl" });
    expect(tpl[0]).toMatchObject({
      volid: "local:vztmpl/debian-12-standard_12.7-1_amd64.tar.zst",
      content: "vztmpl",
    });
  });

  it("downloads a template through aplinfo as a download task", async () => {
    const avail = await ok(sim, "GET", "/nodes/pve/aplinfo");
    expect(avail.map((a: { template: string }) => a.template)).toContain(
      "ubuntu-24.04-standard_24.04-2_amd64.tar.zst",
    );
    const r = await run(sim, "POST", "/nodes/pve/aplinfo", {
      storage: "local",
      template: "ubuntu-24.04-standard_24.04-2_amd64.tar.zst",
    });
    expect(r.status.type).toBe("download");
    expect(r.status.exitstatus).toBe("OK");
    const tpl = await ok(sim, "GET", "/nodes/pve/storage/local/content", { content: "vztmpl" });
    expect(tpl.map((t: { volid: string }) => t.volid)).toContain(
      "local:vztmpl/ubuntu-24.04-standard_24.04-2_amd64.tar.zst",
    );
  });

  it("dry-runs and runs prune with keep-last, and deletes volumes in imgdel tasks", async () => {
    for (let i = 0; i < 4; i++) await run(sim, "POST", "/nodes/pve/vzdump", { vmid: 101, storage: "local" });
    const backups = await ok(sim, "GET", "/nodes/pve/storage/local/content", { content: "backup" });
    expect(backups).toHaveLength(4);
    const dry = await ok(sim, "GET", "/nodes/pve/storage/local/prunebackups", {
      "prune-backups": "keep-last=3",
      type: "lxc",
      vmid: 101,
    });
    expect(dry.filter((d: { mark: string }) => d.mark === "keep")).toHaveLength(3);
    expect(dry.filter((d: { mark: string }) => d.mark === "remove")).toHaveLength(1);
    const pruned = await run(sim, "DELETE", "/nodes/pve/storage/local/prunebackups", {
      "prune-backups": "keep-last=3",
      type: "lxc",
      vmid: 101,
    });
    expect(pruned.status.type).toBe("prunebackups");
    expect(pruned.status.id).toBe("101@local");
    expect(await ok(sim, "GET", "/nodes/pve/storage/local/content", { content: "backup" })).toHaveLength(3);
    const one = (await ok(sim, "GET", "/nodes/pve/storage/local/content", { content: "backup" }))[0].volid;
    const del = await run(sim, "DELETE", `/nodes/pve/storage/local/content/${encodeURIComponent(one)}`);
    expect(del.status.type).toBe("imgdel");
    expect(await ok(sim, "GET", "/nodes/pve/storage/local/content", { content: "backup" })).toHaveLength(2);
  });

  it("fails a backup when the backup storage is full (job errors)", async () => {
    await control(sim, "POST", "/storage/local/fill", { free: 0 });
    const r = await run(sim, "POST", "/nodes/pve/vzdump", { vmid: 101, storage: "local" });
    expect(r.status.exitstatus).toBe("job errors");
    expect(r.log.find((l) => l.startsWith("ERROR: Backup of VM 101 failed"))).toMatch(
      /No space left on device/,
    );
    await control(sim, "POST", "/storage/local/fill", { free: 50 * 2 ** 30 });
  });
});

describe("cluster and node", () => {
  it("lists resources by type with ids like lxc/101", async () => {
    const vms = await ok(sim, "GET", "/cluster/resources", { type: "vm" });
    expect(vms.map((r: { id: string }) => r.id)).toEqual(["lxc/101", "qemu/9000"]);
    expect(vms[1]).toMatchObject({ type: "qemu", template: 1, status: "stopped", node: "pve" });
    const st = await ok(sim, "GET", "/cluster/resources", { type: "storage" });
    expect(st.map((r: { id: string }) => r.id)).toEqual(["storage/pve/local", "storage/pve/local-lvm"]);
  });

  it("reports node status and rrddata", async () => {
    const s = await ok(sim, "GET", "/nodes/pve/status");
    expect(s.memory.total).toBeGreaterThan(s.memory.used);
    expect(s.pveversion).toMatch(/^pve-manager\/8\.4/);
    const rows = await ok(sim, "GET", "/nodes/pve/rrddata", { timeframe: "hour", cf: "AVERAGE" });
    expect(rows.length).toBe(70);
    expect(Object.keys(rows[0])).toEqual(
      expect.arrayContaining(["time", "loadavg", "maxcpu", "cpu", "memtotal", "memused", "netin", "netout"]),
    );
    expect((await ok(sim, "GET", "/nodes"))[0]).toMatchObject({ node: "pve", status: "online" });
  });
});

describe("per-VMID lock queue", () => {
  it("times out a task that waits for the config lock", async () => {
    const fast = await startSimulator({ auth401DelayMs: 0, ssh: false, lockTimeoutMs: 100 });
    try {
      await createCt(fast, 101);
      await run(fast, "POST", "/nodes/pve/lxc/101/status/start");
      // A reboot that hangs holds the config lock (a hung shutdown would end at its timeout).
      await control(fast, "POST", "/faults", { taskType: "vzreboot", vmid: 101, action: "hang" });
      const hold = await ok(fast, "POST", "/nodes/pve/lxc/101/status/reboot");
      await new Promise((r) => setTimeout(r, 20));
      const stop = await run(fast, "POST", "/nodes/pve/lxc/101/status/stop");
      expect(stop.status.exitstatus).toBe(
        "can't lock file '/run/lock/lxc/pve-config-101.lock' - got timeout",
      );
      const put = await call(fast, "PUT", "/nodes/pve/lxc/101/config", { cores: 2 });
      expect(put.status).toBe(500);
      expect(put.reason).toBe("can't lock file '/run/lock/lxc/pve-config-101.lock' - got timeout");
      await ok(fast, "DELETE", `/nodes/pve/tasks/${hold}`);
    } finally {
      await fast.stop();
    }
  });
});
