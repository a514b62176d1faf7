import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Sim, startSimulator } from "../src/index.ts";
import { call, control, createCt, eventually, ok, run, TEMPLATE, waitTask } from "./client.ts";

let sim: Sim;
const KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGz2n0d6Rrtb1T6n8y3fW6cX0PUtq7v6Jv2D2K6pYt6K test@pylon";
beforeAll(async () => {
  sim = await startSimulator({ auth401DelayMs: 0, ssh: false });
});
afterAll(() => sim.stop());

describe("LXC create", () => {
  it("creates a CT, locked `create` while the task runs, with PVE's config", async () => {
    const upid = await ok(sim, "POST", "/nodes/pve/lxc", {
      vmid: 101,
      ostemplate: TEMPLATE,
      hostname: "web",
      rootfs: "local-lvm:8",
      net0: "name=eth0,bridge=vmbr0,ip=dhcp",
      unprivileged: 1,
      features: "nesting=1",
      "ssh-public-keys": KEY,
      password: "secret123",
    });
    expect((await waitTask(sim, upid)).status.exitstatus).toBe("OK");
    const conf = await ok(sim, "GET", "/nodes/pve/lxc/101/config");
    expect(conf.rootfs).toBe("local-lvm:vm-101-disk-0,size=8G");
    expect(conf.net0).toMatch(/^name=eth0,bridge=vmbr0,hwaddr=BC:24:11:[0-9A-F:]{8},ip=dhcp,type=veth$/);
    expect(conf.lock).toBeUndefined();
    expect(conf.digest).toMatch(/^[0-9a-f]{40}$/);
    expect(conf.password).toBeUndefined();
  });

  it("holds lock create while the task runs and cleans up when the task dies", async () => {
    await control(sim, "POST", "/faults", { taskType: "vzcreate", vmid: 105, action: "hang" });
    const upid = await ok(sim, "POST", "/nodes/pve/lxc", {
      vmid: 105,
      ostemplate: TEMPLATE,
      rootfs: "local-lvm:4",
    });
    expect((await ok(sim, "GET", "/nodes/pve/lxc/105/config")).lock).toBe("create");
    const again = await call(sim, "POST", "/nodes/pve/lxc", {
      vmid: 105,
      ostemplate: TEMPLATE,
      rootfs: "local-lvm:4",
    });
    expect(again.reason).toBe("CT 105 already exists on node 'pve'");
    await ok(sim, "DELETE", `/nodes/pve/tasks/${upid}`);
    expect((await waitTask(sim, upid)).status.exitstatus).toBe(
      "unable to create CT 105 - interrupted by signal",
    );
    expect((await call(sim, "GET", "/nodes/pve/lxc/105/config")).reason).toBe(
      "Configuration file 'nodes/pve/lxc/105.conf' does not exist",
    );
  });

  it("refuses an existing id before any task, for CTs and VMs", async () => {
    const ct = await call(sim, "POST", "/nodes/pve/lxc", { vmid: 101, ostemplate: TEMPLATE });
    expect(ct.status).toBe(500);
    expect(ct.reason).toBe("CT 101 already exists on node 'pve'");
    const vm = await call(sim, "POST", "/nodes/pve/lxc", {
      vmid: 9000,
      ostemplate: TEMPLATE,
      rootfs: "local-lvm:4",
    });
    expect(vm.reason).toBe("VM 9000 already exists on node 'pve'");
  });

  it("needs a rootdir-capable storage", async () => {
    const a = await call(sim, "POST", "/nodes/pve/lxc", {
      vmid: 102,
      ostemplate: TEMPLATE,
      storage: "local",
    });
    expect(a.status).toBe(400);
    expect(a.body.errors.storage).toBe("storage 'local' does not support container directories");
  });

  it("validates SSH keys", async () => {
    const a = await call(sim, "POST", "/nodes/pve/lxc", {
      vmid: 102,
      ostemplate: TEMPLATE,
      rootfs: "local-lvm:4",
      "ssh-public-keys": "ssh-rsa notakey",
    });
    expect(a.status).toBe(500);
    expect(a.reason).toBe("SSH public key validation error");
  });

  it("fails inside the task when the storage is full, leaving nothing behind", async () => {
    await control(sim, "POST", "/storage/local-lvm/fill", { free: 2 ** 30 });
    const r = await run(sim, "POST", "/nodes/pve/lxc", {
      vmid: 103,
      ostemplate: TEMPLATE,
      rootfs: "local-lvm:8",
    });
    expect(r.status.exitstatus).toMatch(
      /^unable to create CT 103 - lvcreate 'pve\/vm-103-disk-0' error: {3}Volume group "pve" has insufficient free space/,
    );
    await control(sim, "POST", "/storage/local-lvm/fill", { free: 300 * 2 ** 30 });
    const state = await control(sim, "GET", "/state");
    expect(state.guests.map((g: { vmid: number }) => g.vmid)).not.toContain(103);
  });
});

describe("LXC power", () => {
  it("refuses start of a running CT and stop of a stopped one before any task", async () => {
    const stop = await call(sim, "POST", "/nodes/pve/lxc/101/status/stop");
    expect(stop.status).toBe(500);
    expect(stop.reason).toBe("CT 101 not running");
    expect((await run(sim, "POST", "/nodes/pve/lxc/101/status/start")).status.exitstatus).toBe("OK");
    const again = await call(sim, "POST", "/nodes/pve/lxc/101/status/start");
    expect(again.reason).toBe("CT 101 already running");
    const cur = await ok(sim, "GET", "/nodes/pve/lxc/101/status/current");
    expect(cur.status).toBe("running");
    expect(cur.maxmem).toBe(512 * 2 ** 20);
  });

  it("reports interfaces only while running", async () => {
    const ifs = await ok(sim, "GET", "/nodes/pve/lxc/101/interfaces");
    const eth0 = ifs.find((i: { name: string }) => i.name === "eth0");
    expect(eth0.inet).toMatch(/^127\.77\.\d+\.\d+\/8$/);
    expect(eth0["ip-addresses"][0]["ip-address-type"]).toBe("inet");
    expect(
      (await run(sim, "POST", "/nodes/pve/lxc/101/status/shutdown", { timeout: 30 })).status.exitstatus,
    ).toBe("OK");
    expect(await ok(sim, "GET", "/nodes/pve/lxc/101/interfaces")).toBeNull();
  });

  it("checks locks inside the start task", async () => {
    await control(sim, "POST", "/faults", { taskType: "vzsnapshot", vmid: 101, action: "hang" });
    const snap = await ok(sim, "POST", "/nodes/pve/lxc/101/snapshot", { snapname: "hold" });
    const lockOf101 = async () =>
      (await control(sim, "GET", "/state")).guests.find((g: { vmid: number }) => g.vmid === 101).lock;
    await eventually(async () => (await lockOf101()) === "snapshot", "the snapshot lock");
    const start = await run(sim, "POST", "/nodes/pve/lxc/101/status/start");
    expect(start.status.exitstatus).toBe("CT is locked (snapshot)");
    await ok(sim, "DELETE", `/nodes/pve/tasks/${snap}`);
    await waitTask(sim, snap);
  });
});

describe("LXC config", () => {
  it("updates synchronously, checks the digest and deletes keys", async () => {
    const before = await ok(sim, "GET", "/nodes/pve/lxc/101/config");
    expect(
      await ok(sim, "PUT", "/nodes/pve/lxc/101/config", {
        cores: 2,
        memory: 1024,
        tags: "web",
        digest: before.digest,
      }),
    ).toBeNull();
    const stale = await call(sim, "PUT", "/nodes/pve/lxc/101/config", { cores: 4, digest: before.digest });
    expect(stale.status).toBe(500);
    expect(stale.reason).toBe("detected modified configuration - file changed by other user? Try again.");
    await ok(sim, "PUT", "/nodes/pve/lxc/101/config", { delete: "tags" });
    const after = await ok(sim, "GET", "/nodes/pve/lxc/101/config");
    expect(after.cores).toBe(2);
    expect(after.memory).toBe(1024);
    expect(after.tags).toBeUndefined();
  });

  it("resizes online or refuses to shrink", async () => {
    expect(
      (await run(sim, "PUT", "/nodes/pve/lxc/101/resize", { disk: "rootfs", size: "+2G" })).status.exitstatus,
    ).toBe("OK");
    expect((await ok(sim, "GET", "/nodes/pve/lxc/101/config")).rootfs).toBe(
      "local-lvm:vm-101-disk-0,size=10G",
    );
    const shrink = await call(sim, "PUT", "/nodes/pve/lxc/101/resize", { disk: "rootfs", size: "4G" });
    expect(shrink.reason).toBe("unable to shrink disk size");
    const same = await call(sim, "PUT", "/nodes/pve/lxc/101/resize", { disk: "rootfs", size: "10G" });
    expect(same.reason).toBe("disk is already at specified size");
  });
});

describe("LXC snapshots", () => {
  it("creates, lists (with current), rolls back and deletes", async () => {
    expect(
      (await run(sim, "POST", "/nodes/pve/lxc/101/snapshot", { snapname: "before", description: "x" })).status
        .exitstatus,
    ).toBe("OK");
    const list = await ok(sim, "GET", "/nodes/pve/lxc/101/snapshot");
    expect(list.map((s: { name: string }) => s.name)).toEqual(["before", "current"]);
    expect(list[1].parent).toBe("before");
    const dup = await run(sim, "POST", "/nodes/pve/lxc/101/snapshot", { snapname: "before" });
    expect(dup.status.exitstatus).toBe("snapshot name 'before' already used");
    await ok(sim, "PUT", "/nodes/pve/lxc/101/config", { cores: 3 });
    expect((await run(sim, "POST", "/nodes/pve/lxc/101/snapshot/before/rollback")).status.exitstatus).toBe(
      "OK",
    );
    expect((await ok(sim, "GET", "/nodes/pve/lxc/101/config")).cores).toBe(2);
    const missing = await run(sim, "POST", "/nodes/pve/lxc/101/snapshot/nope/rollback");
    expect(missing.status.exitstatus).toBe("snapshot 'nope' does not exist");
    expect((await run(sim, "DELETE", "/nodes/pve/lxc/101/snapshot/before")).status.exitstatus).toBe("OK");
    expect(
      (await ok(sim, "GET", "/nodes/pve/lxc/101/snapshot")).map((s: { name: string }) => s.name),
    ).toEqual(["current"]);
  });
});

describe("LXC clone", () => {
  it("sets lock disk on the source before the task, so a second clone at once fails", async () => {
    await ok(sim, "PUT", "/nodes/pve/lxc/101/config", {});
    await control(sim, "POST", "/faults", { taskType: "vzclone", vmid: 101, action: "hang" });
    const first = await ok(sim, "POST", "/nodes/pve/lxc/101/clone", { newid: 110, hostname: "c1", full: 1 });
    expect((await ok(sim, "GET", "/nodes/pve/lxc/101/config")).lock).toBe("disk");
    const second = await call(sim, "POST", "/nodes/pve/lxc/101/clone", {
      newid: 111,
      hostname: "c2",
      full: 1,
    });
    expect(second.status).toBe(500);
    expect(second.reason).toBe("CT is locked (disk)");
    await ok(sim, "DELETE", `/nodes/pve/tasks/${first}`);
    await waitTask(sim, first);
    expect((await ok(sim, "GET", "/nodes/pve/lxc/101/config")).lock).toBeUndefined();
    const r = await run(sim, "POST", "/nodes/pve/lxc/101/clone", { newid: 111, hostname: "c2", full: 1 });
    expect(r.status.exitstatus).toBe("OK");
    expect((await ok(sim, "GET", "/nodes/pve/lxc/111/config")).hostname).toBe("c2");
  });
});

describe("LXC destroy and restore", () => {
  it("refuses to destroy a running CT, then purges with its disks", async () => {
    await run(sim, "POST", "/nodes/pve/lxc/111/status/start");
    const running = await call(sim, "DELETE", "/nodes/pve/lxc/111", { purge: 1 });
    expect(running.reason).toBe("unable to destroy CT 111 - container is running");
    await run(sim, "POST", "/nodes/pve/lxc/111/status/stop");
    expect(
      (await run(sim, "DELETE", "/nodes/pve/lxc/111", { purge: 1, "destroy-unreferenced-disks": 1 })).status
        .exitstatus,
    ).toBe("OK");
    const state = await control(sim, "GET", "/state");
    expect(state.guests.map((g: { vmid: number }) => g.vmid)).not.toContain(111);
    const vols = state.storages.flatMap((s: { volumes: { volid: string }[] }) =>
      s.volumes.map((v) => v.volid),
    );
    expect(vols.filter((v: string) => v.includes("vm-111-"))).toEqual([]);
  });

  it("backs up with lock backup and restores through create", async () => {
    const b = await run(sim, "POST", "/nodes/pve/vzdump", {
      vmid: 101,
      storage: "local",
      mode: "snapshot",
      compress: "zstd",
      "notes-template": "{{guestname}}",
    });
    expect(b.status.exitstatus).toBe("OK");
    const backups = await ok(sim, "GET", "/nodes/pve/storage/local/content", {
      content: "backup",
      vmid: 101,
    });
    expect(backups).toHaveLength(1);
    expect(backups[0].volid).toMatch(
      /^local:backup\/vzdump-lxc-101-\d{4}_\d{2}_\d{2}-\d{2}_\d{2}_\d{2}\.tar\.zst$/,
    );
    expect(backups[0].notes).toBe("web");
    const r = await run(sim, "POST", "/nodes/pve/lxc", {
      vmid: 120,
      ostemplate: backups[0].volid,
      restore: 1,
      rootfs: "local-lvm:8",
    });
    expect(r.status.exitstatus).toBe("OK");
    expect(r.status.type).toBe("vzrestore");
    expect((await ok(sim, "GET", "/nodes/pve/lxc/120/config")).hostname).toBe("web");
  });

  it("reports failed guests in vzdump as job errors", async () => {
    const r = await run(sim, "POST", "/nodes/pve/vzdump", { vmid: "101,999", storage: "local" });
    expect(r.status.exitstatus).toBe("job errors");
    expect(r.log.some((l) => l.startsWith("ERROR: Backup of VM 999 failed - "))).toBe(true);
  });
});

describe("rrddata", () => {
  it("returns about 70 rows with the guest fields", async () => {
    const rows = await ok(sim, "GET", "/nodes/pve/lxc/101/rrddata", { timeframe: "hour", cf: "AVERAGE" });
    expect(rows.length).toBe(70);
    expect(rows[0]).toHaveProperty("maxmem");
  });
});

describe("create with start=1", () => {
  it("starts the CT after creating it", async () => {
    await createCt(sim, 130, { start: 1 });
    await eventually(
      async () => (await ok(sim, "GET", "/nodes/pve/lxc/130/status/current")).status === "running",
      "the CT to run",
    );
  });
});
