import type { Sim } from "@pylon/pve-sim";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { JobError } from "../../jobs/types.ts";
import { caddyInstalled, startCaddy, type TestCaddy } from "../../routes/testing.ts";
import { startTestSim } from "../../testing/sim.ts";
import { parseStaticRange } from "../../util/ip-range.ts";
import { type AppJobDeps, configureAppJobs } from "./deps.ts";
import { composeDeploy, deploy, testContext, testDeps } from "./testing.ts";

// VMs from templates as they really are: a stock cloud image has no qemu-guest-agent, some
// templates lack a cloud-init drive, and the user's storage is honoured on clone.
let sim: Sim;
let caddy: TestCaddy;
let deps: AppJobDeps & { cleanup(): Promise<void> };

beforeAll(async () => {
  [sim, caddy] = await Promise.all([startTestSim({ ssh: true }), startCaddy()]);
  deps = await testDeps(sim, caddy);
  deps.addressTimeoutMs = 3000;
  configureAppJobs(deps);
  // The template's disk is a stock Debian cloud image: agent: 1 is set, but nothing answers.
  sim.world.guests.get(9000)!.noGuestAgent = true;
}, 60_000);
afterAll(async () => {
  configureAppJobs(undefined);
  await Promise.all([sim?.stop(), caddy?.stop(), deps?.cleanup()]);
});

const vm = (name: string, port: number, storage = "local-lvm") => {
  const p = composeDeploy(name, port);
  p.guest = { ...p.guest, type: "qemu", storage };
  return p;
};

describe.skipIf(!caddyInstalled())("VMs from a stock cloud image", { timeout: 60_000 }, () => {
  it("without the guest agent, finds the VM's address in the host's neighbour table by its MAC", async () => {
    const r = await deploy(vm("byneigh", 8505), testContext(sim));
    expect(r.address).toBe(sim.world.guests.get(r.vmid)?.address);
  });

  it("without the guest agent, static addresses or a neighbour entry, fails at the address step saying why", async () => {
    sim.world.neighbours = false;
    const err = await deploy(vm("noagent", 8500), testContext(sim))
      .catch((e: unknown) => e)
      .finally(() => {
        sim.world.neighbours = true;
      });
    expect(err).toBeInstanceOf(JobError);
    expect((err as JobError).step).toBe("address");
    expect((err as JobError).message).toMatch(
      /asked the QEMU guest agent, which a stock cloud image does not have, and the host's neighbour table.*\): prepare the VM template with Pylon/,
    );
  });

  it("with apps.vmAddresses, gets a static address through cloud-init and deploys; no first-boot upgrade", async () => {
    deps.vmAddresses = parseStaticRange("127.78.0.10-127.78.0.20/8,gw=127.0.0.1");
    try {
      const [a, b] = await Promise.all([
        deploy(vm("static-a", 8501), testContext(sim)),
        deploy(vm("static-b", 8502), testContext(sim)),
      ]);
      expect([a.address, b.address].sort()).toEqual(["127.78.0.10", "127.78.0.11"]);
      const config = sim.world.guests.get(a.vmid)?.config;
      expect(config).toMatchObject({ ipconfig0: `ip=${a.address}/8,gw=127.0.0.1`, ciupgrade: "0" });
    } finally {
      deps.vmAddresses = undefined;
    }
  });

  it("clones onto the storage the deploy asks for (a full clone off the template's storage)", async () => {
    sim.world.storages.push({
      id: "fast",
      type: "lvmthin",
      content: ["rootdir", "images"],
      total: 200 * 2 ** 30,
      extraUsed: 0,
      volumes: new Map(),
    });
    deps.vmAddresses = parseStaticRange("127.78.0.30-127.78.0.40/8,gw=127.0.0.1");
    try {
      const r = await deploy(vm("onfast", 8503, "fast"), testContext(sim));
      expect(sim.world.guests.get(r.vmid)?.config.scsi0).toMatch(/^fast:vm-\d+-disk-0,/);
    } finally {
      deps.vmAddresses = undefined;
    }
  });

  it("names what a template lacks before creating anything", async () => {
    const t = sim.world.guests.get(9000)!;
    const ide2 = t.config.ide2;
    delete t.config.ide2;
    try {
      const before = sim.world.guests.size;
      const err = await deploy(vm("nocloudinit", 8504), testContext(sim)).catch((e: unknown) => e);
      expect((err as JobError).message).toContain(
        "VM template 9000 lacks a cloud-init drive (qm set 9000 --ide2 local-lvm:cloudinit)",
      );
      expect(sim.world.guests.size).toBe(before);
    } finally {
      if (ide2) t.config.ide2 = ide2;
    }
  });
});
