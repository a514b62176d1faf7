// A node's guest list follows its heartbeats: a guest made, started or removed shows in the
// inventory (and the node's guest count) within a metrics flush, without an inventory job.
import type { GuestMetrics, Inventory, NodeMetrics } from "@pylon/shared";
import { eq } from "drizzle-orm";
import type { UpgradeWebSocket } from "hono/ws";
import { afterAll, beforeAll, expect, it, vi } from "vitest";
import { nodes } from "../db/schema/index.ts";
import { type Harness, makeHarness } from "../testing/harness.ts";
import { MemoryHub } from "./memory-hub.ts";

let h: Harness;
let hub: MemoryHub;
let viewer: string;
let nodeId: string;

const host: NodeMetrics = {
  cpu: 0.1,
  cpus: 8,
  memTotal: 32e9,
  memUsed: 8e9,
  diskTotal: 1e11,
  diskUsed: 1e10,
  uptime: 100,
  loadavg: [],
};
const guest = (vmid: number, over: Partial<GuestMetrics> = {}): GuestMetrics => ({
  vmid,
  type: "lxc",
  name: `app${vmid}`,
  lock: null,
  status: "running",
  cpu: 0.1,
  cpus: 1,
  mem: 1e8,
  maxmem: 5e8,
  disk: 1e9,
  maxdisk: 4e9,
  netin: 0,
  netout: 0,
  uptime: 60,
  ...over,
});
const template: Inventory["guests"][number] = {
  vmid: 9000,
  type: "qemu",
  name: "debian-12-cloudinit",
  status: "stopped",
  template: true,
  cpus: 2,
  maxmem: 2e9,
  maxdisk: 3e9,
  lock: null,
};

beforeAll(async () => {
  h = await makeHarness();
  viewer = await h.token(await h.user("viewer"), ["read"]);
  nodeId = await h.node("pve-guests", {
    inventory: {
      pveVersion: "8.4.5",
      node: { cpu: 0.1, cpus: 8, memTotal: 32e9, memUsed: 8e9, uptime: 1 },
      guests: [template],
      storages: [],
      templates: [],
    },
  });
  hub = new MemoryHub(h.deps, { upgradeWebSocket: (() => () => undefined) as unknown as UpgradeWebSocket });
});
afterAll(() => h.close());

const nodeView = async () => (await h.call("GET", `/api/v1/nodes/${nodeId}`, { as: viewer })).json();

it("writes the heartbeat's guests into the inventory at the next flush, keeping the templates", async () => {
  expect((await nodeView()).guestCount).toBe(0);
  hub.noteMetrics(nodeId, host, h.clock.now, [guest(101), guest(102, { status: "stopped" })]);
  await hub.flushMetrics();
  const after = await nodeView();
  expect(after.guestCount).toBe(2);
  expect(after.inventory.guests).toEqual([
    expect.objectContaining({ vmid: 101, type: "lxc", name: "app101", status: "running", template: false }),
    expect.objectContaining({ vmid: 102, status: "stopped" }),
    template,
  ]);
});

it("follows changes within seconds (not the once-a-minute figures), and writes nothing when unchanged", async () => {
  // A few seconds later (well within the minute between figures): a guest goes, another starts.
  h.clock.now += 5000;
  hub.noteMetrics(nodeId, host, h.clock.now, [guest(101), guest(103, { lock: "create" })]);
  await hub.flushMetrics();
  const guests = (await nodeView()).inventory.guests as { vmid: number; lock: string | null }[];
  expect(guests.map((g) => g.vmid)).toEqual([101, 103, 9000]);
  expect(guests.find((g) => g.vmid === 103)?.lock).toBe("create");

  const batch = vi.spyOn(h.db.$client, "batch");
  h.clock.now += 5000;
  hub.noteMetrics(nodeId, host, h.clock.now, [guest(101), guest(103, { lock: "create" })]);
  await hub.flushMetrics();
  expect(batch).not.toHaveBeenCalled();
  batch.mockRestore();
});

it("leaves the list alone for agents that send figures only", async () => {
  const before = (await h.db.select().from(nodes).where(eq(nodes.id, nodeId)))[0]?.inventory;
  h.clock.now += 5000;
  const { type: _t, name: _n, lock: _l, ...old } = guest(104);
  hub.noteMetrics(nodeId, host, h.clock.now, [old]);
  await hub.flushMetrics();
  expect((await h.db.select().from(nodes).where(eq(nodes.id, nodeId)))[0]?.inventory).toEqual(before);
});
