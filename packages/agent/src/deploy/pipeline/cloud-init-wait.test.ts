import type { Sim } from "@pylon/pve-sim";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { waitForTask } from "../../proxmox/tasks.ts";
import { GuestAgentRunner } from "../../runners/guest-agent.ts";
import { clientFor, createVm, startTestSim } from "../../testing/sim.ts";
import { aptInstall } from "./docker.ts";

// A VM's first boot: cloud-init's package upgrade (PVE 8 turns `ciupgrade` on by default) holds
// the dpkg lock, so an apt-get at that moment fails; the deploy waits for cloud-init first.
let sim: Sim;
let runner: GuestAgentRunner;

beforeAll(async () => {
  sim = await startTestSim();
  await createVm(sim, 310);
  const pve = clientFor(sim);
  await waitForTask(pve, await pve.guestPower(sim.node, "qemu", 310, "start"), { intervalMs: 20 });
  runner = GuestAgentRunner.connect({
    origin: new URL(sim.apiUrl).origin,
    tokenId: sim.token.tokenId,
    tokenSecret: sim.token.secret,
    ca: sim.caCertPem,
    node: sim.node,
    vmid: 310,
  });
}, 30_000);
afterAll(() => sim?.stop());

describe("apt in a VM on its first boot", () => {
  it("fails on the dpkg lock while cloud-init upgrades; aptInstall waits for cloud-init and succeeds", async () => {
    const g = sim.world.guests.get(310)!;
    // cloud-init is still upgrading packages for 2 s more.
    g.cloudInitDoneAt = Date.now() + 2000;
    g.dpkgLockedUntil = g.cloudInitDoneAt;
    const direct = await runner.run(["apt-get", "update"]);
    expect(direct.exitCode).toBe(100);
    expect(direct.stderr).toContain("Could not get lock /var/lib/dpkg/lock-frontend");
    await aptInstall(runner, ["docker.io"]);
    expect(Date.now()).toBeGreaterThanOrEqual(g.cloudInitDoneAt);
  }, 30_000);
});
