import { join } from "node:path";
import type { Sim } from "@pylon/pve-sim";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { waitForTask } from "../proxmox/tasks.ts";
import { clientFor, createCt, startTestSim } from "../testing/sim.ts";
import { PctRunner } from "./pct.ts";
import { expectKills, expectNoInjection } from "./testing.ts";
import { RunTimeoutError } from "./types.ts";

let sim: Sim;
let runner: PctRunner;
let pctPath: string;
let processEnv: NodeJS.ProcessEnv;

beforeAll(async () => {
  sim = await startTestSim();
  pctPath = join(sim.pctBinDir, "pct");
  processEnv = { ...process.env, ...sim.env };
  await createCt(sim, 101);
  await createCt(sim, 102);
  await waitForTask(clientFor(sim), await clientFor(sim).guestPower(sim.node, "lxc", 101, "start"), {
    intervalMs: 20,
  });
  runner = new PctRunner({ vmid: 101, pctPath, processEnv });
}, 30_000);
afterAll(() => sim?.stop());

describe("PctRunner", () => {
  it("runs argv in the container with exit code, stdout, stderr and stdin", async () => {
    const r = await runner.run(["sh", "-c", 'echo "out:$PVE_SIM_GUEST_VMID"; echo err >&2; exit 3']);
    expect(r).toEqual({ exitCode: 3, stdout: "out:101\n", stderr: "err\n", truncated: false });
    const cat = await runner.run(["cat"], { input: "from stdin\n" });
    expect(cat.stdout).toBe("from stdin\n");
    const env = await runner.run(["sh", "-c", 'printf %s "$GREETING"'], { env: { GREETING: "hi there" } });
    expect(env.stdout).toBe("hi there");
  });

  it("reports a missing program as the command's own failure", async () => {
    const r = await runner.run(["no-such-program-xyz"]);
    expect(r.exitCode).toBe(127);
    expect(r.stderr).toMatch(/not found/);
  });

  it("caps output and says so", async () => {
    const r = await runner.run(["head", "-c", "100000", "/dev/zero"], { maxOutputBytes: 1000 });
    expect(r.stdout.length).toBe(1000);
    expect(r.truncated).toBe(true);
    expect(r.exitCode).toBe(0);
  });

  it("surfaces pct's own errors for stopped and missing containers", async () => {
    await expect(new PctRunner({ vmid: 102, pctPath, processEnv }).run(["true"])).rejects.toThrow(
      "container '102' not running!",
    );
    await expect(new PctRunner({ vmid: 999, pctPath, processEnv }).run(["true"])).rejects.toThrow(
      `Configuration file 'nodes/${sim.node}/lxc/999.conf' does not exist`,
    );
    await expect(
      new PctRunner({ vmid: 101, pctPath: "/nonexistent/pct", processEnv }).run(["true"]),
    ).rejects.toThrow(/cannot run \/nonexistent\/pct: .*ENOENT/);
  });

  it("executes nothing from a shell-injection corpus", async () => {
    await expectNoInjection(runner);
  }, 60_000);

  it("kills the command in the container on timeout and on abort", async () => {
    await expectKills(runner);
    await expect(runner.run(["sleep", "5"], { timeoutMs: 100 })).rejects.toBeInstanceOf(RunTimeoutError);
  }, 30_000);

  it("pushes content and host files with their mode, creating directories", async () => {
    await runner.push("key: value\n", "/opt/pylon/app/config.yaml", 0o600);
    const r = await runner.run(["sh", "-c", 'cat "$1"; stat -c %a "$1"', "sh", "/opt/pylon/app/config.yaml"]);
    expect(r.stdout).toBe("key: value\n600\n");
    await runner.push(Buffer.from([0, 1, 2, 255]), "/opt/pylon/app/blob.bin", 0o644);
    const blob = await runner.run(["od", "-An", "-tx1", "/opt/pylon/app/blob.bin"]);
    expect(blob.stdout.trim()).toBe("00 01 02 ff");
    await runner.push({ path: join(sim.pctBinDir, "pct") }, "/opt/pylon/app/copied", 0o755);
    const copied = await runner.run(["stat", "-c", "%a", "/opt/pylon/app/copied"]);
    expect(copied.stdout).toBe("755\n");
  });
});
