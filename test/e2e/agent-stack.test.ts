// Control plane + agent bundle + Proxmox simulator, all real processes and real HTTP/WebSocket.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Sim } from "@pylon/pve-sim";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Client, RunningServer } from "./support/server.ts";
import {
  type AgentProcess,
  adminClient,
  controlPlane,
  createCt,
  enrollAgent,
  jobFinished,
  pve,
  simulator,
  startAgent,
  until,
} from "./support/stack.ts";

let sim: Sim;
let cp: RunningServer;
let api: Client;
let agent: AgentProcess;
let nodeId: string;
const dirs: string[] = [];

function dir(): string {
  const d = mkdtempSync(join(tmpdir(), "pylon-stack-"));
  dirs.push(d);
  return d;
}

/** A job once it is final (the API client may be replaced after a restart). */
const finished = (id: string, timeoutMs = 20_000) => jobFinished(api, id, timeoutMs);

beforeAll(async () => {
  sim = await simulator(0.05);
  cp = await controlPlane(dir());
  api = await adminClient(cp.url);
  const created = await api.call("POST", "/api/v1/nodes", { name: "pve" });
  nodeId = created.json.node.id;
  const agentDir = dir();
  const config = await enrollAgent(agentDir, cp.url, created.json.enrollment.token, sim);
  agent = startAgent(config, join(agentDir, "state"), sim);
}, 60_000);

afterAll(async () => {
  await agent?.stop();
  await cp?.stop();
  await sim?.stop();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe("agent, control plane and Proxmox together", () => {
  it("enrolls, connects, reports versions and takes an inventory on its own", async () => {
    const node = await until(
      async () => {
        const n = (await api.call("GET", `/api/v1/nodes/${nodeId}`)).json;
        return n.status === "online" && n.inventory ? n : null;
      },
      20_000,
      "node online with inventory",
    );
    expect(node.pveVersion).toMatch(/^8\./);
    expect(node.agentVersion).toBeTruthy();
    expect(node.inventory.storages.map((s: { storage: string }) => s.storage).sort()).toEqual([
      "local",
      "local-lvm",
    ]);
    expect(node.inventory.templates.length).toBeGreaterThan(0);
    expect(agent.output()).not.toContain("pya_");
    expect(agent.output()).not.toContain(sim.token.secret);
  });

  it("powers a guest through Proxmox, with Proxmox's own error text when it refuses", async () => {
    await createCt(sim, 201);
    const start = (
      await api.call("POST", `/api/v1/nodes/${nodeId}/guests/201/power`, { type: "lxc", action: "start" })
    ).json;
    expect((await finished(start.id)).status).toBe("succeeded");
    const status = (await pve(sim, "GET", `/nodes/${sim.node}/lxc/201/status/current`)) as { status: string };
    expect(status.status).toBe("running");
    const again = (
      await api.call("POST", `/api/v1/nodes/${nodeId}/guests/201/power`, { type: "lxc", action: "start" })
    ).json;
    const failed = await finished(again.id);
    expect(failed.status).toBe("failed");
    expect(failed.error).toMatch(/CT 201 already running/);
    const events = (await api.call("GET", `/api/v1/jobs/${start.id}/events`)).json.items;
    expect(events.map((e: { seq: number }) => e.seq)).toEqual(events.map((_: unknown, i: number) => i + 1));
  });

  it("refreshes the inventory on demand and sees the new guest", async () => {
    const j = (await api.call("POST", `/api/v1/nodes/${nodeId}/inventory`)).json;
    expect((await finished(j.id)).status).toBe("succeeded");
    const node = (await api.call("GET", `/api/v1/nodes/${nodeId}`)).json;
    expect(
      node.inventory.guests.some(
        (g: { vmid: number; status: string }) => g.vmid === 201 && g.status === "running",
      ),
    ).toBe(true);
  });

  it("disconnects the agent at once when its credential is revoked", async () => {
    const t0 = Date.now();
    await api.call("POST", `/api/v1/nodes/${nodeId}/credential/revoke`);
    await until(async () => /4403|revoked/i.test(agent.output()), 15_000, "agent to see the revocation");
    // Pushed at once (the agent would otherwise stay connected); a bound that holds under load.
    expect(Date.now() - t0).toBeLessThan(10_000);
    expect((await api.call("GET", `/api/v1/nodes/${nodeId}`)).json.status).toBe("revoked");
  });
});
