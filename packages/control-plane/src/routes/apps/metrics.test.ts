import type { GuestMetrics, NodeMetrics } from "@pylon/shared";
import { eq } from "drizzle-orm";
import type { UpgradeWebSocket } from "hono/ws";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { appMetrics, jobs } from "../../db/schema/index.ts";
import { MemoryHub } from "../../hub/memory-hub.ts";
import { recordEvent } from "../../services/agent-events.ts";
import { markOffered } from "../../services/agent-jobs.ts";
import { type Harness, makeHarness } from "../../testing/harness.ts";

let h: Harness;
let viewer: string;
let op: string;
let nodeId: string;
let appId: string;
let firstAt: number;

const host: NodeMetrics = {
  cpu: 0.2,
  cpus: 8,
  memTotal: 32e9,
  memUsed: 8e9,
  diskTotal: 1e11,
  diskUsed: 1e10,
  uptime: 100,
  loadavg: [],
};
const guest = (cpu: number, mem: number): GuestMetrics => ({
  vmid: 120,
  status: "running",
  cpu,
  cpus: 1,
  mem,
  maxmem: 512e6,
  disk: 1e9,
  maxdisk: 4e9,
  netin: 5000,
  netout: 3000,
  uptime: 600,
});

beforeAll(async () => {
  h = await makeHarness();
  viewer = await h.token(await h.user("viewer"), ["read"]);
  op = await h.token(await h.user("operator"), ["write", "deploy"]);
  nodeId = await h.node("pve1");
  appId = await h.appOn(nodeId, 120, "web");
  const hub = new MemoryHub(h.deps, {
    upgradeWebSocket: (() => () => undefined) as unknown as UpgradeWebSocket,
  });
  firstAt = h.clock.now;
  hub.noteMetrics(nodeId, host, firstAt, [guest(0.25, 100e6)]);
  await hub.flushMetrics();
  h.clock.now += 61_000;
  hub.noteMetrics(nodeId, host, h.clock.now, [guest(0.5, 200e6)]);
  await hub.flushMetrics();
});
afterAll(() => h.close());

describe("GET /apps/{id}/metrics", () => {
  it("gives a viewer the app guest's samples, oldest first, since a time", async () => {
    const res = await h.call("GET", `/api/v1/apps/${appId}/metrics`, { as: viewer });
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body.items).toEqual([
      {
        at: new Date(firstAt).toISOString(),
        cpu: 0.25,
        memUsed: 100e6,
        memTotal: 512e6,
        diskUsed: 1e9,
        diskTotal: 4e9,
        netIn: 5000,
        netOut: 3000,
      },
      expect.objectContaining({ cpu: 0.5, memUsed: 200e6 }),
    ]);
    const since = new Date(firstAt + 1000).toISOString();
    const later = await (
      await h.call("GET", `/api/v1/apps/${appId}/metrics?since=${since}`, { as: viewer })
    ).json();
    expect(later.items.map((i: { cpu: number }) => i.cpu)).toEqual([0.5]);
  });

  it("shows the latest sample on the app and in the list", async () => {
    const app = await (await h.call("GET", `/api/v1/apps/${appId}`, { as: viewer })).json();
    expect(app.metrics).toEqual({
      at: new Date(h.clock.now).toISOString(),
      cpu: 0.5,
      memUsed: 200e6,
      memTotal: 512e6,
    });
    const other = await h.appOn(nodeId, 121);
    const list = await (await h.call("GET", "/api/v1/apps", { as: viewer })).json();
    const byId = new Map(list.items.map((a: { id: string }) => [a.id, a]));
    expect(byId.get(appId)).toMatchObject({ metrics: { cpu: 0.5 } });
    expect(byId.get(other)).toMatchObject({ metrics: null });
  });

  it("answers 404 for an unknown app, 400 for a bad since, 401 without credentials", async () => {
    expect((await h.call("GET", "/api/v1/apps/app_nope/metrics", { as: viewer })).status).toBe(404);
    expect(
      (await h.call("GET", `/api/v1/apps/${appId}/metrics?since=yesterday`, { as: viewer })).status,
    ).toBe(400);
    expect((await h.call("GET", `/api/v1/apps/${appId}/metrics`)).status).toBe(401);
  });

  it("forgets the samples when the app is deleted", async () => {
    const del = await (await h.call("DELETE", `/api/v1/apps/${appId}`, { as: op })).json();
    expect(del.status).toBe("deleting");
    await markOffered(h.deps, del.lastJobId);
    const [job] = await h.db.select().from(jobs).where(eq(jobs.id, del.lastJobId));
    await recordEvent(h.deps, nodeId, {
      v: 1,
      type: "event",
      jobId: job!.id,
      seq: job!.lastSeq + 1,
      at: h.clock.now,
      event: { kind: "result", status: "succeeded" },
    });
    expect((await h.call("GET", `/api/v1/apps/${appId}`, { as: viewer })).status).toBe(404);
    expect(await h.db.select().from(appMetrics).where(eq(appMetrics.appId, appId))).toEqual([]);
  });
});
