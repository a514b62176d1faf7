import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Sim, startSimulator } from "../src/index.ts";
import { call, control, createCt, TEMPLATE } from "./client.ts";

// Per-option checks of check_vm_modify_config_perm / check_ct_modify_config_perm and the
// bridge check (SDN.Use) of PVE 8, for a token without privilege separation whose user holds
// only what each case grants on /.

let sim: Sim;
let auth: string;
beforeAll(async () => {
  sim = await startSimulator({ auth401DelayMs: 0, ssh: false });
  await createCt(sim, 101);
  const t = await control(sim, "POST", "/tokens", { tokenid: "ops@pve!agent", privsep: false });
  auth = `PVEAPIToken=${t.tokenid}=${t.secret}`;
});
afterAll(() => sim.stop());

async function grant(privs: string[]) {
  await control(sim, "DELETE", "/acl");
  await control(sim, "PUT", "/acl", { path: "/", principal: "ops@pve", privs, propagate: true });
}

const CT_CREATE = {
  vmid: 150,
  ostemplate: TEMPLATE,
  hostname: "ct150",
  rootfs: "local-lvm:4",
  net0: "name=eth0,bridge=vmbr0,ip=dhcp",
  cores: 1,
  memory: 512,
  onboot: 1,
  unprivileged: 1,
  features: "nesting=1",
};
const CT_PRIVS = [
  "VM.Allocate",
  "Datastore.AllocateSpace",
  "VM.Config.Disk",
  "VM.Config.CPU",
  "VM.Config.Memory",
  "VM.Config.Network",
  "VM.Config.Options",
  "SDN.Use",
];

describe("per-option permission checks", () => {
  it("CT create needs each option's privilege and SDN.Use on the bridge", async () => {
    for (const [missing, path] of [
      ["VM.Config.CPU", "/vms/150"],
      ["VM.Config.Memory", "/vms/150"],
      ["VM.Config.Network", "/vms/150"],
      ["VM.Config.Options", "/vms/150"],
      ["VM.Config.Disk", "/vms/150"],
      ["SDN.Use", "/sdn/zones/localnetwork/vmbr0"],
    ] as const) {
      await grant(CT_PRIVS.filter((p) => p !== missing));
      const a = await call(sim, "POST", `/nodes/${sim.node}/lxc`, CT_CREATE, { auth });
      expect(a.status, missing).toBe(403);
      expect(a.reason).toBe(`Permission check failed (${path}, ${missing})`);
    }
    await grant(CT_PRIVS);
    const a = await call(sim, "POST", `/nodes/${sim.node}/lxc`, CT_CREATE, { auth });
    expect(a.status).toBe(200);
  });

  it("CT config update checks the options it sets", async () => {
    await grant(["VM.Config.Memory"]);
    const cores = await call(sim, "PUT", `/nodes/${sim.node}/lxc/101/config`, { cores: 2 }, { auth });
    expect(cores.reason).toBe("Permission check failed (/vms/101, VM.Config.CPU)");
    const memory = await call(sim, "PUT", `/nodes/${sim.node}/lxc/101/config`, { memory: 1024 }, { auth });
    expect(memory.status).toBe(200);
  });

  it("VM config update: cloud-init options take Cloudinit or Network; net0 also SDN.Use", async () => {
    const vm = `/nodes/${sim.node}/qemu/9000/config`;
    await grant(["VM.Config.Network"]);
    expect((await call(sim, "PUT", vm, { ipconfig0: "ip=dhcp" }, { auth })).status).toBe(200);
    expect((await call(sim, "PUT", vm, { ciuser: "pylon" }, { auth })).status).toBe(200);
    const net = await call(sim, "PUT", vm, { net0: "virtio,bridge=vmbr0,tag=5" }, { auth });
    expect(net.reason).toBe("Permission check failed (/sdn/zones/localnetwork/vmbr0/5, SDN.Use)");
    const agent = await call(sim, "PUT", vm, { agent: "enabled=1" }, { auth });
    expect(agent.reason).toBe("Permission check failed (/vms/9000, VM.Config.Options)");
    const cores = await call(sim, "PUT", vm, { cores: 2 }, { auth });
    expect(cores.reason).toBe("Permission check failed (/vms/9000, VM.Config.CPU)");
  });

  it("a clone needs SDN.Use on the source's bridges", async () => {
    await grant(["VM.Clone", "VM.Allocate", "Datastore.AllocateSpace"]);
    const a = await call(sim, "POST", `/nodes/${sim.node}/qemu/9000/clone`, { newid: 160 }, { auth });
    expect(a.reason).toBe("Permission check failed (/sdn/zones/localnetwork/vmbr0, SDN.Use)");
  });
});
