import { spawn } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import ssh2 from "ssh2";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { canUnshare } from "../src/guests/sandbox.ts";
import { type Sim, startSimulator } from "../src/index.ts";
import { generateKeyPair } from "../src/shell/ssh.ts";
import { call, control, createCt, run } from "./client.ts";

let sim: Sim;

/** Runs bin/pct as the agent would (on PATH, PVE_SIM_CONTROL set). */
function pct(args: string[], stdin?: string): Promise<{ code: number; out: string; err: string }> {
  return new Promise((resolve) => {
    const child = spawn("pct", args, {
      env: { ...process.env, ...sim.env, PATH: `${sim.pctBinDir}:${process.env.PATH}` },
    });
    let out = "";
    let err = "";
    child.stdout.on("data", (d) => (out += d));
    child.stderr.on("data", (d) => (err += d));
    child.on("close", (code) => resolve({ code: code ?? -1, out, err }));
    child.stdin.end(stdin);
  });
}

/** Runs a command line on the host shell over SSH. */
function sshExec(command: string): Promise<{ code: number; out: string; err: string }> {
  return new Promise((resolve, reject) => {
    const conn = new ssh2.Client();
    conn
      .on("ready", () => {
        conn.exec(command, (e, stream) => {
          if (e) return reject(e);
          let out = "";
          let err = "";
          let code = -1;
          stream.on("data", (d: Buffer) => (out += d));
          stream.stderr.on("data", (d: Buffer) => (err += d));
          stream.on("exit", (c: number) => (code = c));
          stream.on("close", () => {
            conn.end();
            resolve({ code, out, err });
          });
        });
      })
      .on("error", reject)
      .connect({
        host: sim.ssh!.host,
        port: sim.ssh!.port,
        username: "root",
        privateKey: sim.ssh!.privateKey,
      });
  });
}

beforeAll(async () => {
  sim = await startSimulator({ auth401DelayMs: 0 });
  await createCt(sim, 101);
  await createCt(sim, 102);
  await run(sim, "POST", "/nodes/pve/lxc/101/status/start");
});
afterAll(() => sim.stop());

describe("pct on PATH", () => {
  it("runs argv in the guest sandbox with real bash and returns the exit code", async () => {
    const r = await pct(["exec", "101", "--", "bash", "-c", 'echo "hi $1"; exit 3', "x", "there"]);
    expect(r.out).toBe("hi there\n");
    expect(r.code).toBe(3);
  });

  it("has the real git in the guest", async () => {
    const r = await pct([
      "exec",
      "101",
      "--keep-env",
      "0",
      "--",
      "bash",
      "-c",
      "cd ~ && git init -q repo && git -C repo status --porcelain && echo ok",
    ]);
    expect(r.out).toBe("ok\n");
    expect((await pct(["exec", "101", "echo", "no-dashes"])).out).toBe("no-dashes\n");
  });

  it("passes stdin through", async () => {
    const r = await pct(["exec", "101", "--", "cat"], "from stdin");
    expect(r.out).toBe("from stdin");
  });

  it("refuses a stopped or missing container with pct's texts", async () => {
    const stopped = await pct(["exec", "102", "--", "true"]);
    expect(stopped.err).toBe("container '102' not running!\n");
    expect(stopped.code).not.toBe(0);
    const missing = await pct(["status", "999"]);
    expect(missing.err).toBe("Configuration file 'nodes/pve/lxc/999.conf' does not exist\n");
  });

  it("pushes a host file into the guest and reports status", async () => {
    const src = join(sim.stateDir, "hello.txt");
    writeFileSync(src, "pushed");
    const pushed = await pct(["push", "101", src, "/opt/app/hello.txt"]);
    expect(pushed.err).toBe("");
    expect(pushed.code).toBe(0);
    if (canUnshare())
      expect((await pct(["exec", "101", "--", "cat", "/opt/app/hello.txt"])).out).toBe("pushed");
    const r = await pct(["exec", "101", "--", "bash", "-c", 'cat "$PVE_SIM_GUEST_ROOT/opt/app/hello.txt"']);
    expect(r.out).toBe("pushed");
    expect((await pct(["status", "101"])).out).toBe("status: running\n");
    expect((await pct(["status", "102"])).out).toBe("status: stopped\n");
  });

  it("sets CT features as root@pam, which a token may not (only nesting)", async () => {
    const byToken = await call(sim, "PUT", "/nodes/pve/lxc/102/config", { features: "nesting=1,keyctl=1" });
    expect(byToken.status).toBe(403);
    expect(byToken.body.message).toBe(
      "Permission check failed (changing feature flags (except nesting) is only allowed for root@pam)\n",
    );
    const r = await pct(["set", "102", "--features", "nesting=1,keyctl=1"]);
    expect(r.code, r.err).toBe(0);
    expect(sim.world.guests.get(102)?.config.features).toBe("nesting=1,keyctl=1");
    // Nesting alone is a token's to change (with VM.Allocate).
    expect(
      (await call(sim, "PUT", "/nodes/pve/lxc/102/config", { features: "nesting=0,keyctl=1" })).status,
    ).toBe(200);
  });

  it("shows the guest address through the ip shim once DHCP gave one", async () => {
    const state = await control(sim, "GET", "/state");
    const g = state.guests.find((x: { vmid: number }) => x.vmid === 101);
    const r = await pct(["exec", "101", "--", "ip", "-4", "addr", "show", "dev", "eth0"]);
    expect(r.out).toContain(`inet ${g.address}/8`);
  });
});

describe("host shell over SSH", () => {
  it("runs pct like on a real node", async () => {
    const r = await sshExec("pct exec 101 -- bash -c 'echo ssh-$((6*7))'");
    expect(r.out).toBe("ssh-42\n");
    expect(r.code).toBe(0);
    const bad = await sshExec("pct exec 102 -- true");
    expect(bad.err).toBe("container '102' not running!\n");
    expect(bad.code).not.toBe(0);
  });

  it("rejects keys it does not know", async () => {
    const otherKey = generateKeyPair();
    const other = { private: otherKey.privateKey };
    await expect(
      new Promise((resolve, reject) => {
        const c = new ssh2.Client();
        c.on("ready", () => resolve(c.end())).on("error", reject);
        c.connect({ host: sim.ssh!.host, port: sim.ssh!.port, username: "root", privateKey: other.private });
      }),
    ).rejects.toThrow(/authentication/i);
  });
});
