import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Sim } from "@pylon/pve-sim";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { waitForTask } from "../proxmox/tasks.ts";
import { clientFor, createCt, startTestSim } from "../testing/sim.ts";
import { PctSessionRunner } from "./pct-session.ts";
import { expectKills, expectNoInjection } from "./testing.ts";

let sim: Sim;
let dir: string;
let pctPath: string;
let processEnv: NodeJS.ProcessEnv;
const calls = () =>
  readFileSync(join(dir, "calls.jsonl"), "utf8")
    .trim()
    .split("\n")
    .map((l) => JSON.parse(l) as { kind: string; argv?: string[] })
    .filter((c) => c.kind === "host");
const power = async (vmid: number, action: "start" | "stop") =>
  waitForTask(clientFor(sim), await clientFor(sim).guestPower(sim.node, "lxc", vmid, action), {
    intervalMs: 20,
  });

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "pylon-pct-session-"));
  sim = await startTestSim({ callLogFile: join(dir, "calls.jsonl") });
  pctPath = join(sim.pctBinDir, "pct");
  processEnv = { ...process.env, ...sim.env };
  await createCt(sim, 101);
  await createCt(sim, 102);
  await power(101, "start");
}, 30_000);
afterAll(async () => {
  await sim?.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe("PctSessionRunner", () => {
  it("runs many commands through ONE pct exec, each with its own stdin, env, output and exit code", async () => {
    const before = calls().length;
    const runner = new PctSessionRunner({ vmid: 101, pctPath, processEnv });
    try {
      const r = await runner.run(["sh", "-c", 'echo "out:$PVE_SIM_GUEST_VMID"; echo err >&2; exit 3']);
      expect(r).toEqual({ exitCode: 3, stdout: "out:101\n", stderr: "err\n", truncated: false });
      expect((await runner.run(["cat"], { input: "from stdin\n" })).stdout).toBe("from stdin\n");
      const env = await runner.run(["sh", "-c", 'printf %s "$GREETING"'], { env: { GREETING: "hi there" } });
      expect(env.stdout).toBe("hi there");
      const both = await Promise.all([
        runner.run(["sh", "-c", "sleep 0.3; echo slow"]),
        runner.run(["echo", "fast"]),
      ]);
      expect(both.map((b) => b.stdout)).toEqual(["slow\n", "fast\n"]);
      const missing = await runner.run(["no-such-program-xyz"]);
      expect(missing.exitCode).toBe(127);
      expect(missing.stderr).toMatch(/not found/);
      const big = await runner.run(["head", "-c", "300000", "/dev/zero"], { maxOutputBytes: 1000 });
      expect([big.stdout.length, big.truncated]).toEqual([1000, true]);
      const chunks: string[] = [];
      await runner.run(["sh", "-c", "echo one; sleep 0.2; echo two"], {
        onOutput: (_s, c) => chunks.push(c.toString()),
      });
      expect(chunks.join("")).toBe("one\ntwo\n");
      await runner.push(Buffer.from([0, 1, 2, 255]), "/opt/pylon/s/blob.bin", 0o600);
      const blob = await runner.run([
        "sh",
        "-c",
        'od -An -tx1 "$1"; stat -c %a "$1"',
        "sh",
        "/opt/pylon/s/blob.bin",
      ]);
      expect(blob.stdout.replace(/\s+/g, " ").trim()).toBe("00 01 02 ff 600");
    } finally {
      runner.close();
    }
    const pcts = calls().slice(before);
    expect(pcts.map((c) => c.argv?.slice(0, 3))).toEqual([["pct", "exec", "101"]]);
  }, 30_000);

  it("executes nothing from a shell-injection corpus", async () => {
    const runner = new PctSessionRunner({ vmid: 101, pctPath, processEnv });
    try {
      await expectNoInjection(runner);
    } finally {
      runner.close();
    }
  }, 60_000);

  it("kills the command in the container on timeout and on abort", async () => {
    const runner = new PctSessionRunner({ vmid: 101, pctPath, processEnv });
    try {
      await expectKills(runner);
    } finally {
      runner.close();
    }
  }, 60_000);

  it("starts a new session after the CT restarted, and surfaces pct's refusals", async () => {
    await expect(new PctSessionRunner({ vmid: 102, pctPath, processEnv }).run(["true"])).rejects.toThrow(
      "container '102' not running!",
    );
    await power(102, "start");
    const runner = new PctSessionRunner({ vmid: 102, pctPath, processEnv });
    try {
      expect((await runner.run(["echo", "a"])).stdout).toBe("a\n");
      await power(102, "stop");
      await power(102, "start");
      expect((await runner.run(["echo", "b"])).stdout).toBe("b\n");
    } finally {
      runner.close();
    }
  }, 30_000);

  it("falls back to one pct exec per command in a CT without perl", async () => {
    // A pct that runs everything as asked, except that the CT has no perl.
    const wrapper = join(dir, "pct-no-perl");
    writeFileSync(
      wrapper,
      `#!/bin/sh\nfor a in "$@"; do [ "$a" = perl ] && { echo "lxc-attach: 101: ../src/lxc/attach.c: lxc_attach_run_command: Failed to exec \\"perl\\": No such file or directory" >&2; exit 255; }; done\nexec "${pctPath}" "$@"\n`,
    );
    chmodSync(wrapper, 0o755);
    const runner = new PctSessionRunner({ vmid: 101, pctPath: wrapper, processEnv });
    try {
      expect((await runner.run(["echo", "no perl"])).stdout).toBe("no perl\n");
      expect((await runner.run(["cat"], { input: "x" })).stdout).toBe("x");
    } finally {
      runner.close();
    }
  }, 30_000);
});
