import { spawn } from "node:child_process";
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Sim, startSimulator } from "../src/index.ts";
import { call, createCt, run } from "./client.ts";

let sim: Sim;
let dir: string;
const callLog = () => join(dir, "calls.jsonl");

/** Runs one of the simulator's host commands as a caller on the host would. */
function host(
  name: string,
  args: string[],
  env: Record<string, string> = {},
): Promise<{ code: number; out: string; err: string; ms: number }> {
  const t0 = Date.now();
  return new Promise((resolve) => {
    const child = spawn(join(sim.pctBinDir, name), args, {
      env: { ...process.env, ...sim.env, ...env },
      stdio: ["ignore", "pipe", "pipe"],
    });
    let out = "";
    let err = "";
    child.stdout.on("data", (d) => (out += d));
    child.stderr.on("data", (d) => (err += d));
    child.on("close", (code) => resolve({ code: code ?? -1, out, err, ms: Date.now() - t0 }));
  });
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "pve-sim-host-"));
  sim = await startSimulator({ auth401DelayMs: 0, callLogFile: join(dir, "calls.jsonl") });
  await createCt(sim, 101);
  await run(sim, "POST", "/nodes/pve/lxc/101/status/start");
});
afterAll(async () => {
  await sim.stop();
  rmSync(dir, { recursive: true, force: true });
});

describe("pveversion and pveum", () => {
  it("pveversion prints the node's version line", async () => {
    expect((await host("pveversion", [])).out).toBe(
      "pve-manager/8.4.5/c5ee6d2a6d2bd9c3 (running kernel: 6.8.12-4-pve)\n",
    );
  });

  it("creates a user, role, ACL and token the API then accepts, and removes them again", async () => {
    expect((await host("pveum", ["user", "add", "pylon@pve", "--comment", "Pylon agent"])).code).toBe(0);
    const list = JSON.parse((await host("pveum", ["user", "list", "--output-format", "json"])).out);
    expect(list.map((u: { userid: string }) => u.userid)).toContain("pylon@pve");
    expect((await host("pveum", ["role", "add", "Pylon", "--privs", "VM.Audit,Sys.Audit"])).code).toBe(0);
    const again = await host("pveum", ["role", "add", "Pylon", "--privs", "VM.Audit"]);
    expect([again.code, again.err]).toEqual([255, "role 'Pylon' already exists\n"]);
    expect(
      (await host("pveum", ["acl", "modify", "/", "--users", "pylon@pve", "--roles", "Pylon"])).code,
    ).toBe(0);
    const added = await host("pveum", [
      "user",
      "token",
      "add",
      "pylon@pve",
      "agent",
      "--privsep",
      "0",
      "--output-format",
      "json",
    ]);
    const token = JSON.parse(added.out);
    expect(token).toMatchObject({ "full-tokenid": "pylon@pve!agent", info: { privsep: "0" } });
    const auth = `PVEAPIToken=pylon@pve!agent=${token.value}`;
    expect((await call(sim, "GET", "/nodes/pve/status", {}, { auth })).status).toBe(200);
    // Only the role's privileges: no VM.Config.CPU.
    expect((await call(sim, "GET", "/nodes/pve/lxc/101/status/current", {}, { auth })).status).toBe(200);
    const denied = await call(sim, "PUT", "/nodes/pve/lxc/101/config", { cores: 2 }, { auth });
    expect(denied.status).toBe(403);

    expect((await host("pveum", ["role", "modify", "Pylon", "--privs", "Sys.Audit"])).code).toBe(0);
    expect((await call(sim, "GET", "/nodes/pve/lxc/101/status/current", {}, { auth })).status).toBe(403);

    expect((await host("pveum", ["user", "token", "remove", "pylon@pve", "agent"])).code).toBe(0);
    expect((await call(sim, "GET", "/nodes/pve/status", {}, { auth })).status).toBe(401);
    const gone = await host("pveum", ["user", "token", "remove", "pylon@pve", "agent"]);
    expect(gone.err).toBe("no such token 'agent' for user 'pylon@pve'\n");
    expect((await host("pveum", ["user", "delete", "pylon@pve"])).code).toBe(0);
    expect((await host("pveum", ["role", "delete", "Pylon"])).code).toBe(0);
    expect(sim.world.auth.acl.filter((e) => e.principal.startsWith("pylon@pve"))).toEqual([]);
  });

  it("refuses privileges the version does not know (VM.GuestAgent.* before PVE 9, VM.Monitor from 9)", async () => {
    const r = await host("pveum", ["role", "add", "X", "--privs", "VM.Audit,VM.GuestAgent.Audit"]);
    expect([r.code, r.err]).toEqual([255, "invalid privilege 'VM.GuestAgent.Audit'\n"]);
    sim.world.pveVersion = "9.0.10";
    try {
      expect((await host("pveversion", [])).out).toMatch(/^pve-manager\/9\.0\.10\//);
      expect((await host("pveum", ["role", "add", "X", "--privs", "VM.Monitor"])).err).toBe(
        "invalid privilege 'VM.Monitor'\n",
      );
      expect((await host("pveum", ["role", "add", "X", "--privs", "VM.GuestAgent.Audit"])).code).toBe(0);
    } finally {
      sim.world.pveVersion = "8.4.5";
      sim.world.auth.roles.delete("X");
    }
  });
});

describe("pct as on a real host (PVE_SIM_ETC_PVE)", () => {
  it("writes /etc/pve/nodes/<node>/lxc/<vmid>.conf and fails like pct when it cannot", async () => {
    const etc = join(dir, "etc-pve");
    mkdirSync(join(etc, "nodes", "pve", "lxc"), { recursive: true });
    const env = { PVE_SIM_ETC_PVE: etc, PVE_SIM_NODE: "pve" };
    const r = await host("pct", ["set", "101", "--features", "nesting=1,keyctl=1"], env);
    expect([r.code, r.err]).toEqual([0, ""]);
    expect(readFileSync(join(etc, "nodes/pve/lxc/101.conf"), "utf8")).toMatch(
      /^features: nesting=1,keyctl=1$/m,
    );
    // A read-only /etc/pve (ProtectSystem=strict without a ReadWritePaths for it) makes pct fail.
    // Root ignores file modes, so stand in for the read-only mount with a path that is a file.
    if (process.getuid?.() === 0) rmSync(join(etc, "nodes/pve/lxc"), { recursive: true });
    else chmodSync(join(etc, "nodes/pve/lxc"), 0o500);
    if (process.getuid?.() === 0) writeFileSync(join(etc, "nodes/pve/lxc"), "");
    const ro = await host("pct", ["set", "101", "--memory", "1024"], env);
    expect(ro.code).toBe(255);
    expect(ro.err).toMatch(/^unable to open file '.*\/nodes\/pve\/lxc\/101\.conf\.tmp\.\d+' - /);
    expect(sim.world.guests.get(101)?.config.memory).not.toBe("1024");
  });

  it("pct push reads the source where pct runs and streams it in", async () => {
    const src = join(dir, "file.txt");
    writeFileSync(src, "streamed");
    expect((await host("pct", ["push", "101", src, "/srv/file.txt"])).code).toBe(0);
    const out = join(dir, "pulled.txt");
    expect((await host("pct", ["pull", "101", "/srv/file.txt", out])).code).toBe(0);
    expect(readFileSync(out, "utf8")).toBe("streamed");
    const missing = await host("pct", ["push", "101", join(dir, "nope"), "/srv/x"]);
    expect([missing.code, missing.err]).toEqual([
      255,
      `unable to open file '${join(dir, "nope")}' - No such file or directory\n`,
    ]);
  });
});

describe("costs and the call log", () => {
  it("logs API calls (token id, no secrets) and host commands as JSON lines", async () => {
    await call(sim, "PUT", "/nodes/pve/lxc/101/config", { description: "x" });
    await host("pct", ["status", "101"]);
    const lines = readFileSync(callLog(), "utf8")
      .trim()
      .split("\n")
      .map((l) => JSON.parse(l));
    expect(lines).toContainEqual(
      expect.objectContaining({
        kind: "api",
        method: "PUT",
        path: "/nodes/pve/lxc/101/config",
        params: { description: "x" },
        token: "root@pam!pylon",
        status: 200,
      }),
    );
    expect(lines).toContainEqual(expect.objectContaining({ kind: "host", argv: ["pct", "status", "101"] }));
    expect(readFileSync(callLog(), "utf8")).not.toContain(sim.token.secret);
  });

  it("charges each host command its start-up cost", async () => {
    const slow = await startSimulator({ auth401DelayMs: 0, ssh: false, hostCommandMs: { pct: 400 } });
    try {
      const env = { PVE_SIM_CONTROL: slow.controlUrl };
      const r = await host("pct", ["list"], env);
      expect(r.code).toBe(0);
      expect(r.ms).toBeGreaterThanOrEqual(400);
    } finally {
      await slow.stop();
    }
  });
});
