import { spawn } from "node:child_process";
import { join } from "node:path";
import type { Sim } from "@pylon/pve-sim";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { scriptPrivileges } from "../install/testing.ts";
import { startTestSim } from "../testing/sim.ts";
import { PveClient } from "./client.ts";
import { checkHost, requiredPrivileges } from "./host-check.ts";

let sim: Sim;
let pve: PveClient;

/** Runs the simulator's `pveum` as an admin would on the host. */
function pveum(args: string[]): Promise<{ code: number; out: string; err: string }> {
  return new Promise((resolve) => {
    const child = spawn(join(sim.pctBinDir, "pveum"), args, { env: { ...process.env, ...sim.env } });
    let out = "";
    let err = "";
    child.stdout.on("data", (d) => (out += d));
    child.stderr.on("data", (d) => (err += d));
    child.on("close", (code) => resolve({ code: code ?? -1, out, err }));
  });
}

beforeAll(async () => {
  sim = await startTestSim();
  // What the installer does on a PVE 8 host.
  await pveum(["user", "add", "pylon@pve"]);
  await pveum(["role", "add", "PylonAgent", "--privs", scriptPrivileges()["8"].join(",")]);
  await pveum(["acl", "modify", "/", "--users", "pylon@pve", "--roles", "PylonAgent"]);
  const token = JSON.parse(
    (await pveum(["user", "token", "add", "pylon@pve", "agent", "--privsep", "0", "--output-format", "json"]))
      .out,
  ) as { value: string };
  pve = new PveClient({
    url: new URL(sim.apiUrl).origin,
    tokenId: "pylon@pve!agent",
    tokenSecret: token.value,
    ca: sim.caCertPem,
  });
}, 60_000);
afterAll(() => sim?.stop());

describe("the agent's host check", () => {
  it("needs exactly the privileges the installer grants, per PVE version", () => {
    expect(requiredPrivileges("8.4.5")).toEqual(scriptPrivileges()["8"]);
    expect(requiredPrivileges("9.0.10")).toEqual(scriptPrivileges()["9"]);
  });

  it("finds nothing missing after an install, and VM.GuestAgent.Audit missing after an upgrade to 9; its fix works", async () => {
    const fresh = await checkHost(pve, "pylon@pve!agent");
    expect(fresh).toMatchObject({ pveVersion: "8.4.5", missingPrivileges: [], problems: [], fix: null });
    sim.world.pveVersion = "9.0.10";
    try {
      const upgraded = await checkHost(pve, "pylon@pve!agent");
      expect(upgraded.missingPrivileges).toEqual(["VM.GuestAgent.Audit"]);
      expect(upgraded.fix).toBe(
        `pveum role modify PylonAgent --privs '${scriptPrivileges()["9"].join(",")}'`,
      );
      // The fix, run as shown (the quotes are the shell's).
      const r = await pveum(["role", "modify", "PylonAgent", "--privs", scriptPrivileges()["9"].join(",")]);
      expect(r.code, r.err).toBe(0);
      expect((await checkHost(pve, "pylon@pve!agent")).missingPrivileges).toEqual([]);
    } finally {
      sim.world.pveVersion = "8.4.5";
    }
  });

  it("names a PVE below 8.2 as a problem", async () => {
    sim.world.pveVersion = "8.1.4";
    try {
      const old = await checkHost(pve, "pylon@pve!agent");
      expect(old.problems[0]).toMatch(/^Proxmox VE 8\.2 or later is required \(this host runs 8\.1\.4\)/);
    } finally {
      sim.world.pveVersion = "8.4.5";
    }
  });
});
