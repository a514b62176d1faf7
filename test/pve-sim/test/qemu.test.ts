import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Sim, startSimulator } from "../src/index.ts";
import { call, control, ok, run, waitTask } from "./client.ts";

let sim: Sim;
const KEY = "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGz2n0d6Rrtb1T6n8y3fW6cX0PUtq7v6Jv2D2K6pYt6K test@pylon";
beforeAll(async () => {
  sim = await startSimulator({ auth401DelayMs: 0, ssh: false });
});
afterAll(() => sim.stop());

describe("QEMU clone of the cloud-init template", () => {
  it("runs two linked clones of one template at once (shared lock)", async () => {
    await control(sim, "POST", "/faults", { taskType: "qmclone", action: "hang" });
    const a = await ok(sim, "POST", "/nodes/pve/qemu/9000/clone", { newid: 200, name: "vm-a" });
    const b = await ok(sim, "POST", "/nodes/pve/qemu/9000/clone", { newid: 201, name: "vm-b" });
    expect((await ok(sim, "GET", "/nodes/pve/qemu/200/config")).lock).toBe("clone");
    await ok(sim, "DELETE", `/nodes/pve/tasks/${a}`);
    await waitTask(sim, a);
    expect((await waitTask(sim, b)).status.exitstatus).toBe("OK");
    const conf = await ok(sim, "GET", "/nodes/pve/qemu/201/config");
    expect(conf.scsi0).toMatch(/^local-lvm:base-9000-disk-0\/vm-201-disk-0,/);
    expect(conf.ide2).toBe("local-lvm:vm-201-cloudinit,media=cdrom");
    expect(conf.template).toBeUndefined();
  });

  it("refuses an existing newid before the task", async () => {
    const a = await call(sim, "POST", "/nodes/pve/qemu/9000/clone", { newid: 201 });
    expect(a.reason).toBe("unable to create VM 201: config file already exists");
  });
});

describe("QEMU config and cloud-init", () => {
  it("updates synchronously with PUT and in a task with POST; hides cipassword", async () => {
    const keys = encodeURIComponent(`${KEY}\n`);
    expect(
      await ok(sim, "PUT", "/nodes/pve/qemu/201/config", {
        ciuser: "pylon",
        cipassword: "s3cret",
        sshkeys: keys,
        ipconfig0: "ip=dhcp",
      }),
    ).toBeNull();
    const r = await run(sim, "POST", "/nodes/pve/qemu/201/config", { cores: 4, memory: 4096 });
    expect(r.status.type).toBe("qmconfig");
    const conf = await ok(sim, "GET", "/nodes/pve/qemu/201/config");
    expect(conf.cipassword).toBe("**********");
    expect(conf.cores).toBe(4);
    expect(conf.sshkeys).toBe(keys);
    expect(await ok(sim, "PUT", "/nodes/pve/qemu/201/cloudinit")).toBeNull();
    const user = await ok(sim, "GET", "/nodes/pve/qemu/201/cloudinit/dump", { type: "user" });
    expect(user).toContain("user: pylon");
    expect(user).toContain(KEY);
  });

  it("resizes in a task", async () => {
    const r = await run(sim, "PUT", "/nodes/pve/qemu/201/resize", { disk: "scsi0", size: "+2G" });
    expect(r.status.type).toBe("resize");
    expect(r.status.exitstatus).toBe("OK");
    expect((await ok(sim, "GET", "/nodes/pve/qemu/201/config")).scsi0).toContain("size=5G");
  });
});

describe("QEMU power differs from LXC", () => {
  it("stop/shutdown of a stopped VM are no-op tasks; reboot is refused up front", async () => {
    expect((await run(sim, "POST", "/nodes/pve/qemu/201/status/stop")).status.exitstatus).toBe("OK");
    expect((await run(sim, "POST", "/nodes/pve/qemu/201/status/shutdown")).status.exitstatus).toBe("OK");
    const reboot = await call(sim, "POST", "/nodes/pve/qemu/201/status/reboot");
    expect(reboot.status).toBe(500);
    expect(reboot.reason).toBe("VM 201 not running");
  });

  it("a second start gets a UPID whose task fails", async () => {
    expect((await run(sim, "POST", "/nodes/pve/qemu/201/status/start")).status.exitstatus).toBe("OK");
    const again = await run(sim, "POST", "/nodes/pve/qemu/201/status/start");
    expect(again.status.exitstatus).toBe("VM 201 already running");
    const cur = await ok(sim, "GET", "/nodes/pve/qemu/201/status/current");
    expect(cur).toMatchObject({ status: "running", qmpstatus: "running", agent: 1 });
  });

  it("refuses to destroy a running VM", async () => {
    const a = await call(sim, "DELETE", "/nodes/pve/qemu/201");
    expect(a.reason).toBe("VM 201 is running - destroy failed");
  });
});

describe("guest agent", () => {
  it("executes argv in the guest and reports output decoded", async () => {
    const { pid } = await ok(sim, "POST", "/nodes/pve/qemu/201/agent/exec", {
      command: ["/bin/sh", "-c", "echo out; echo err >&2; exit 4"],
    });
    let st: Record<string, unknown> = { exited: 0 };
    for (let i = 0; i < 1500 && !st.exited; i++) {
      st = await ok(sim, "GET", "/nodes/pve/qemu/201/agent/exec-status", { pid });
      if (!st.exited) await new Promise((r) => setTimeout(r, 10));
    }
    expect(st).toEqual({ exited: 1, exitcode: 4, "out-data": "out\n", "err-data": "err\n" });
  });

  it("pings and lists interfaces with the guest address (net0 is ens18 in a Debian cloud image)", async () => {
    expect(await ok(sim, "POST", "/nodes/pve/qemu/201/agent/ping")).toEqual({ result: {} });
    const ifs = await ok(sim, "GET", "/nodes/pve/qemu/201/agent/network-get-interfaces");
    const nic = ifs.result.find((i: { name: string }) => i.name === "ens18");
    expect(nic["ip-addresses"][0]["ip-address"]).toMatch(/^127\.77\./);
    expect(nic["ip-addresses"][0]["ip-address-type"]).toBe("ipv4");
  });

  it("refuses when not running or not configured", async () => {
    await run(sim, "POST", "/nodes/pve/qemu/201/status/stop");
    const stopped = await call(sim, "POST", "/nodes/pve/qemu/201/agent/ping");
    expect(stopped.reason).toBe("VM 201 is not running");
    await ok(sim, "PUT", "/nodes/pve/qemu/201/config", { delete: "agent" });
    const none = await call(sim, "POST", "/nodes/pve/qemu/201/agent/ping");
    expect(none.reason).toBe("No QEMU guest agent configured");
  });

  it("says the agent is not running until it came up after start", async () => {
    const slow = await startSimulator({ auth401DelayMs: 0, ssh: false, clockScale: 1 });
    try {
      slow.world.guests.get(9000)!.config.template = "0";
      await waitTask(slow, await ok(slow, "POST", "/nodes/pve/qemu/9000/status/start"));
      const a = await call(slow, "POST", "/nodes/pve/qemu/9000/agent/ping");
      expect(a.reason).toBe("QEMU guest agent is not running");
    } finally {
      await slow.stop();
    }
  }, 15_000);
});

describe("QEMU create, snapshots and destroy", () => {
  it("creates a VM with disks from storage:size and a cloud-init drive", async () => {
    const r = await run(sim, "POST", "/nodes/pve/qemu", {
      vmid: 300,
      name: "fresh",
      memory: 1024,
      cores: 1,
      net0: "virtio,bridge=vmbr0",
      scsi0: "local-lvm:4",
      ide2: "local-lvm:cloudinit",
      boot: "order=scsi0",
      agent: "enabled=1",
    });
    expect(r.status.exitstatus).toBe("OK");
    const conf = await ok(sim, "GET", "/nodes/pve/qemu/300/config");
    expect(conf.scsi0).toBe("local-lvm:vm-300-disk-0,size=4G");
    expect(conf.net0).toMatch(/^virtio=BC:24:11:[0-9A-F:]{8},bridge=vmbr0$/);
    const dup = await call(sim, "POST", "/nodes/pve/qemu", { vmid: 300 });
    expect(dup.reason).toBe("unable to create VM 300 - VM 300 already exists on node 'pve'");
  });

  it("snapshots and deletes the VM with purge", async () => {
    expect(
      (await run(sim, "POST", "/nodes/pve/qemu/300/snapshot", { snapname: "s1", vmstate: 0 })).status
        .exitstatus,
    ).toBe("OK");
    const list = await ok(sim, "GET", "/nodes/pve/qemu/300/snapshot");
    expect(list.map((s: { name: string }) => s.name)).toEqual(["s1", "current"]);
    expect(
      (await run(sim, "DELETE", "/nodes/pve/qemu/300", { purge: 1, "destroy-unreferenced-disks": 1 })).status
        .exitstatus,
    ).toBe("OK");
    const state = await control(sim, "GET", "/state");
    expect(state.guests.map((g: { vmid: number }) => g.vmid)).not.toContain(300);
  });

  it("shares one VMID namespace with LXC", async () => {
    const next = await ok(sim, "GET", "/cluster/nextid");
    expect(next).toBe("100");
    const taken = await call(sim, "GET", "/cluster/nextid", { vmid: 9000 });
    expect(taken.status).toBe(400);
    expect(taken.body.errors.vmid).toBe("VM 9000 already exists");
  });
});
