import { PassThrough } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Sim, startSimulator } from "../src/index.ts";
import { runPct } from "../src/shell/pct.ts";
import { createCt, ok, run } from "./client.ts";

let sim: Sim;

async function sh(script: string): Promise<string> {
  const stdin = new PassThrough();
  stdin.end();
  const stdout = new PassThrough();
  let out = "";
  stdout.on("data", (d) => (out += d));
  await runPct(sim.world, ["exec", "101", "--", "bash", "-c", script], {
    stdin,
    stdout,
    stderr: new PassThrough(),
  });
  await new Promise((r) => setImmediate(r));
  return out;
}

beforeAll(async () => {
  sim = await startSimulator({ auth401DelayMs: 0, ssh: false });
  await createCt(sim, 101);
  await run(sim, "POST", "/nodes/pve/lxc/101/status/start");
});
afterAll(() => sim.stop());

type Iface = { name: string; hwaddr: string; inet?: string; inet6?: string };

describe("interfaces of a CT, as `ip -j addr` in it shows them", () => {
  it("lists lo and eth0 (its MAC from net0, its IPv4 from DHCP) before Docker runs", async () => {
    const list: Iface[] = await ok(sim, "GET", "/nodes/pve/lxc/101/interfaces");
    expect(list.map((i) => i.name)).toEqual(["lo", "eth0"]);
    const mac = /hwaddr=([^,]+)/.exec(sim.world.guests.get(101)?.config.net0 ?? "")?.[1]?.toLowerCase();
    expect(list[1]).toMatchObject({ hwaddr: mac, inet: `${sim.world.guests.get(101)?.address}/8` });
    expect(list[1]?.inet6).toMatch(/^fe80::/);
  });

  it("adds docker0, the compose project's bridge and a veth per container once Docker runs", async () => {
    await sh(
      "mkdir -p /opt/x && printf 'services:\\n  web:\\n    image: nginx\\n    ports: [\"18080:80\"]\\n' > /opt/x/compose.yaml && docker compose -p shop -f /opt/x/compose.yaml up -d",
    );
    const list: Iface[] = await ok(sim, "GET", "/nodes/pve/lxc/101/interfaces");
    expect(list.map((i) => i.name.replace(/^(br|veth).*/, "$1"))).toEqual([
      "lo",
      "eth0",
      "docker0",
      "br",
      "veth",
    ]);
    expect(list.find((i) => i.name === "docker0")?.inet).toBe("172.17.0.1/16");
    expect(list.find((i) => i.name.startsWith("br-"))?.inet).toBe("172.18.0.1/16");
    const inside = JSON.parse(await sh("ip -j addr")) as { ifname: string; addr_info: { local: string }[] }[];
    expect(inside.map((i) => i.ifname)).toEqual(list.map((i) => i.name));
  });

  it("after a restart Docker is up before DHCP answers: docker0 has an IPv4, eth0 none yet", async () => {
    const g = sim.world.guests.get(101)!;
    g.addressAt = Date.now() + 60_000;
    const list: Iface[] = await ok(sim, "GET", "/nodes/pve/lxc/101/interfaces");
    expect(list.find((i) => i.name === "eth0")?.inet).toBeUndefined();
    expect(list.find((i) => i.name === "docker0")?.inet).toBe("172.17.0.1/16");
    g.addressAt = Date.now();
  });
});
