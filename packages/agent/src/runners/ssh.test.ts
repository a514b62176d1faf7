import { existsSync } from "node:fs";
import type { Sim } from "@pylon/pve-sim";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { waitForTask } from "../proxmox/tasks.ts";
import { clientFor, createVm, simCall, startTestSim } from "../testing/sim.ts";
import { ed25519KeyPair as testKeyPair } from "../util/ssh-key.ts";
import { type HostKey, HostKeyMismatchError, scanHostKey } from "./host-key.ts";
import { SshRunner } from "./ssh.ts";
import { expectKills, expectNoInjection, markerPath } from "./testing.ts";

let sim: Sim;
let host: string;
let port = 22;
let hostKey: HostKey;
const user = testKeyPair("agent@pylon");
const runners: SshRunner[] = [];

/** A runner for the test VM that is closed after the suite. */
function runner(overrides: Partial<ConstructorParameters<typeof SshRunner>[0]> = {}): SshRunner {
  const r = new SshRunner({
    host,
    port,
    username: "pylon",
    privateKey: user.private,
    hostKey: hostKey.publicKey,
    ...overrides,
  });
  runners.push(r);
  return r;
}

beforeAll(async () => {
  sim = await startTestSim();
  await createVm(sim, 200);
  await simCall(sim, "PUT", `/nodes/${sim.node}/qemu/200/config`, {
    ciuser: "pylon",
    sshkeys: encodeURIComponent(`${user.public}\n`),
  });
  const pve = clientFor(sim);
  await waitForTask(pve, await pve.guestPower(sim.node, "qemu", 200, "start"), { intervalMs: 20 });
  host = sim.world.guests.get(200)!.address;
  // cloud-init brings sshd up a little after boot; the simulator falls back to 2222 when 22 is taken.
  let found: HostKey | undefined;
  for (let i = 0; !found; i++) {
    port = i % 2 === 0 ? 22 : 2222;
    found = await scanHostKey({ host, port, timeoutMs: 2000 }).catch(async (err: unknown) => {
      if (i > 100) throw err;
      await new Promise((r) => setTimeout(r, 50));
      return undefined;
    });
  }
  hostKey = found;
}, 30_000);
afterAll(async () => {
  for (const r of runners) await r.close();
  await sim?.stop();
});

describe("scanHostKey", () => {
  it("reads the key and fingerprint without logging in", () => {
    expect(hostKey.publicKey).toMatch(/^ssh-ed25519 AAAA[A-Za-z0-9+/=]+$/);
    expect(hostKey.fingerprint).toMatch(/^SHA256:[A-Za-z0-9+/]{43}$/);
  });
});

describe("SshRunner", () => {
  it("runs argv with exit code, stdout, stderr and stdin over a pinned key", async () => {
    const r = runner();
    const res = await r.run(["sh", "-c", 'echo "out:$(hostname)"; echo err >&2; exit 4']);
    expect(res).toEqual({ exitCode: 4, stdout: "out:vm200\n", stderr: "err\n", truncated: false });
    expect((await r.run(["cat"], { input: "via stdin" })).stdout).toBe("via stdin");
    expect((await r.run(["true"])).exitCode).toBe(0);
    // A closed (or dropped) connection is reopened by the next run, still pinned.
    await r.close();
    expect((await r.run(["echo", "again"])).stdout).toBe("again\n");
  });

  it("accepts the pin as a SHA256 fingerprint too", async () => {
    const res = await runner({ hostKey: hostKey.fingerprint }).run(["echo", "ok"]);
    expect(res.stdout).toBe("ok\n");
  });

  it("refuses a host whose key is not the pinned one, before running anything", async () => {
    const other = testKeyPair();
    const marker = markerPath();
    const wrong = runner({ hostKey: other.public });
    const err = await wrong.run(["touch", marker]).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(HostKeyMismatchError);
    expect(String(err)).toMatch(
      /does not match the pinned key \(expected SHA256:.*, got SHA256:.*\); refusing/,
    );
    const wrongPrint = runner({ hostKey: `SHA256:${"A".repeat(43)}` });
    await expect(wrongPrint.run(["touch", marker])).rejects.toBeInstanceOf(HostKeyMismatchError);
    expect(existsSync(marker)).toBe(false);
  });

  it("refuses a pin that is not a key", () => {
    expect(() => runner({ hostKey: "yes" })).toThrow(/neither an OpenSSH public key line nor a SHA256/);
  });

  it("fails with the server's answer for a key it does not accept", async () => {
    const stranger = testKeyPair();
    await expect(runner({ privateKey: stranger.private }).run(["true"])).rejects.toThrow(
      /All configured authentication methods failed/,
    );
  });

  it("executes nothing from a shell-injection corpus", async () => {
    await expectNoInjection(runner());
  }, 120_000);

  it("kills the remote command on timeout and on abort", async () => {
    await expectKills(runner());
  }, 30_000);

  it("pushes a file with its mode, creating directories", async () => {
    const r = runner();
    await r.push("secret=1\n", "/tmp/pylon-ssh-push/dir/app.env", 0o600);
    const res = await r.run([
      "sh",
      "-c",
      'cat "$1"; stat -c %a "$1"',
      "sh",
      "/tmp/pylon-ssh-push/dir/app.env",
    ]);
    expect(res.stdout).toBe("secret=1\n600\n");
    await r.run(["rm", "-rf", "/tmp/pylon-ssh-push"]);
  });
});
