import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { Sim } from "@pylon/pve-sim";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { JobError } from "../../jobs/types.ts";
import { caddyInstalled, startCaddy, type TestCaddy } from "../../routes/testing.ts";
import { startTestSim } from "../../testing/sim.ts";
import { type AppJobDeps, configureAppJobs } from "./deps.ts";
import { nodeVmTemplate } from "./prepare-template.ts";
import { composeDeploy, deploy, runJob, testContext, testDeps } from "./testing.ts";

let sim: Sim;
let caddy: TestCaddy;
let deps: AppJobDeps & { cleanup(): Promise<void> };

beforeAll(async () => {
  [sim, caddy] = await Promise.all([startTestSim({ ssh: true }), startCaddy()]);
  deps = await testDeps(sim, caddy);
  deps.addressTimeoutMs = 5000;
  const local = sim.world.storage("local");
  deps.snippetsDir = join(local.path ?? "", "snippets");
  configureAppJobs(deps);
}, 60_000);
afterAll(async () => {
  configureAppJobs(undefined);
  await Promise.all([sim?.stop(), caddy?.stop(), deps?.cleanup()]);
});

const params = (vmid: number) => ({
  image: "debian-12" as const,
  vmid,
  storage: "local-lvm",
  bridge: "vmbr0",
});

describe.skipIf(!caddyInstalled())("Pylon prepares the VM template", { timeout: 60_000 }, () => {
  it("says which storage content to enable when no storage can hold a downloaded disk image", async () => {
    const err = await runJob(nodeVmTemplate, params(9001), testContext(sim)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(JobError);
    expect((err as JobError).message).toContain("`pvesm set local --content iso,vztmpl,backup,import`");
    expect(sim.world.guests.has(9001)).toBe(false);
  });

  it("downloads the cloud image, imports it with cloud-init, serial console, agent and the guest agent snippet", async () => {
    const local = sim.world.storage("local");
    local.content.push("import", "snippets");
    const result = await runJob(nodeVmTemplate, params(9001), testContext(sim));
    expect(result).toMatchObject({ vmid: 9001, image: "debian-12", guestAgent: true, notes: [] });
    const t = sim.world.guests.get(9001)!;
    expect(t.config).toMatchObject({
      template: "1",
      ide2: expect.stringMatching(/^local-lvm:vm-9001-cloudinit,media=cdrom/),
      serial0: "socket",
      agent: "enabled=1",
      ciupgrade: "0",
      cicustom: "vendor=local:snippets/pylon-guest-agent.yaml",
    });
    expect(t.config.scsi0).toMatch(/^local-lvm:base-9001-disk-0,/);
    expect(local.volumes.has("local:import/debian-12-genericcloud-amd64.qcow2")).toBe(true);
    expect(readFileSync(join(deps.snippetsDir, "pylon-guest-agent.yaml"), "utf8")).toContain(
      "qemu-guest-agent",
    );
    // A VM from it answers through its guest agent (the snippet installed it), no static addresses needed.
    deps.vmTemplateId = 9001;
    const p = composeDeploy("fromtpl", 8600);
    p.guest = { ...p.guest, type: "qemu" };
    const app = await deploy(p, testContext(sim));
    expect(app.address).toBe(sim.world.guests.get(app.vmid)?.address);
  });

  it("refuses an id that is taken, and a second run reuses the downloaded image", async () => {
    const taken = await runJob(nodeVmTemplate, params(9001), testContext(sim)).catch((e: unknown) => e);
    expect((taken as JobError).message).toBe("VM 9001 already exists on pve: choose another id or remove it");
    const ctx = testContext(sim);
    await runJob(nodeVmTemplate, params(9002), ctx);
    expect(ctx.steps()).toContain("download succeeded");
    expect(sim.world.tasks.tasks.filter((t) => t.type === "download")).toHaveLength(1);
  });
});
