import ssh2 from "ssh2";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Sim, startSimulator } from "../src/index.ts";
import { generateKeyPair } from "../src/shell/ssh.ts";
import { control, ok, run } from "./client.ts";

let sim: Sim;
const userKey = generateKeyPair("agent@pylon");
const user = { private: userKey.privateKey, public: userKey.publicKey };

function sshExec(host: string, port: number, command: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const conn = new ssh2.Client();
    conn
      .on("ready", () =>
        conn.exec(command, (e, stream) => {
          if (e) return reject(e);
          let out = "";
          stream.on("data", (d: Buffer) => (out += d));
          stream.on("close", () => {
            conn.end();
            resolve(out);
          });
        }),
      )
      .on("error", reject)
      .connect({ host, port, username: "pylon", privateKey: user.private, readyTimeout: 5000 });
  });
}

beforeAll(async () => {
  sim = await startSimulator({ auth401DelayMs: 0, ssh: false });
});
afterAll(() => sim.stop());

describe("cloud-init sshkeys", () => {
  it("enables an SSH server on the VM's address that accepts those keys, gone after stop", async () => {
    await run(sim, "POST", "/nodes/pve/qemu/9000/clone", { newid: 210, name: "app" });
    await ok(sim, "PUT", "/nodes/pve/qemu/210/config", {
      ciuser: "pylon",
      sshkeys: encodeURIComponent(`${user.public}\n`),
    });
    await run(sim, "POST", "/nodes/pve/qemu/210/status/start");
    const address = sim.world.guests.get(210)!.address;
    let out = "";
    for (let i = 0; i < 300 && !out; i++) {
      try {
        out = await sshExec(address, 22, "echo hello-from-$(hostname)");
      } catch {
        await new Promise((r) => setTimeout(r, 50));
      }
    }
    expect(out).toBe("hello-from-app\n");
    await run(sim, "POST", "/nodes/pve/qemu/210/status/stop");
    await expect(sshExec(address, 22, "true")).rejects.toThrow();
    expect((await control(sim, "GET", "/state")).processes).toEqual([]);
  });
});
