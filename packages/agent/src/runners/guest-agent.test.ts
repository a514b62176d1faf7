import type { Sim } from "@pylon/pve-sim";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { waitForTask } from "../proxmox/tasks.ts";
import { clientFor, createVm, simCall, startTestSim } from "../testing/sim.ts";
import { GuestAgentRunner } from "./guest-agent.ts";
import { expectKills, expectNoInjection } from "./testing.ts";
import { RunnerError } from "./types.ts";

let sim: Sim;
let runner: GuestAgentRunner;

/** A runner for one VM of a simulator, through the agent's own request engine. */
function runnerFor(s: Sim, vmid: number): GuestAgentRunner {
  return GuestAgentRunner.connect({
    origin: new URL(s.apiUrl).origin,
    tokenId: s.token.tokenId,
    tokenSecret: s.token.secret,
    ca: s.caCertPem,
    node: s.node,
    vmid,
  });
}

async function startVm(s: Sim, vmid: number): Promise<void> {
  const pve = clientFor(s);
  await waitForTask(pve, await pve.guestPower(s.node, "qemu", vmid, "start"), { intervalMs: 20 });
}

beforeAll(async () => {
  sim = await startTestSim();
  await createVm(sim, 300);
  await createVm(sim, 301);
  await createVm(sim, 302);
  await simCall(sim, "PUT", `/nodes/${sim.node}/qemu/302/config`, { agent: "enabled=0" });
  await startVm(sim, 300);
  await startVm(sim, 302);
  runner = runnerFor(sim, 300);
}, 30_000);
afterAll(() => sim?.stop());

describe("GuestAgentRunner", () => {
  it("runs argv with exit code, stdout, stderr and stdin", async () => {
    const r = await runner.run(["sh", "-c", 'echo "out:$PVE_SIM_GUEST_VMID"; echo err >&2; exit 5']);
    expect(r).toEqual({ exitCode: 5, stdout: "out:300\n", stderr: "err\n", truncated: false });
    expect((await runner.run(["cat"], { input: "agent stdin" })).stdout).toBe("agent stdin");
    expect((await runner.run(["true"])).exitCode).toBe(0);
  });

  it("surfaces Proxmox's own errors unchanged", async () => {
    await expect(runnerFor(sim, 301).run(["true"])).rejects.toThrow(/^VM 301 is not running$/);
    await expect(runnerFor(sim, 302).run(["true"])).rejects.toThrow(/^No QEMU guest agent configured$/);
    await expect(runnerFor(sim, 999).run(["true"])).rejects.toBeInstanceOf(RunnerError);
  });

  it("surfaces `QEMU guest agent is not running` while the agent is still booting", async () => {
    const slow = await startTestSim({ clockScale: 0.1 });
    try {
      await createVm(slow, 310);
      await startVm(slow, 310);
      await expect(runnerFor(slow, 310).run(["true"])).rejects.toThrow(/^QEMU guest agent is not running$/);
    } finally {
      await slow.stop();
    }
  }, 30_000);

  it("refuses stdin larger than Proxmox accepts", async () => {
    await expect(runner.run(["cat"], { input: "x".repeat(70_000) })).rejects.toThrow(/limited to 65536/);
  });

  it("executes nothing from a shell-injection corpus", async () => {
    await expectNoInjection(runner);
  }, 60_000);

  it("kills the command in the VM on timeout and on abort", async () => {
    await expectKills(runner);
  }, 30_000);

  it("pushes binary content larger than one input-data in parts, with its mode", async () => {
    const data = Buffer.alloc(100_000);
    for (let i = 0; i < data.length; i++) data[i] = (i * 7) % 256;
    await runner.push(data, "/opt/pylon/blob.bin", 0o640);
    const r = await runner.run([
      "sh",
      "-c",
      'sha256sum < "$1"; stat -c %a "$1"',
      "sh",
      "/opt/pylon/blob.bin",
    ]);
    const { createHash } = await import("node:crypto");
    expect(r.stdout).toBe(`${createHash("sha256").update(data).digest("hex")}  -\n640\n`);
  });
});
