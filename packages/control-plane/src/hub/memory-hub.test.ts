import type { GuestMetrics, NodeMetrics } from "@pylon/shared";
import type { UpgradeWebSocket } from "hono/ws";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { appMetrics, jobEvents, jobs, nodeMetrics } from "../db/schema/index.ts";
import { type Harness, makeHarness } from "../testing/harness.ts";
import { MemoryHub } from "./memory-hub.ts";

let h: Harness;
beforeAll(async () => {
  h = await makeHarness();
});
afterAll(() => h.close());

// The hub's socket side is not used here: samples are noted as a session would on a heartbeat.
const noSockets = (() => () => undefined) as unknown as UpgradeWebSocket;

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
const guest = (vmid: number, cpu: number): GuestMetrics => ({
  vmid,
  status: "running",
  cpu,
  cpus: 2,
  mem: 256e6,
  maxmem: 512e6,
  disk: 1e9,
  maxdisk: 8e9,
  netin: 1200,
  netout: 800,
  uptime: 60,
});

describe("the memory hub's metrics flush", () => {
  it("writes heartbeat guest samples for app guests only, with the node's sample, at the flush", async () => {
    const nodeId = await h.node("pve-a");
    const otherNode = await h.node("pve-b");
    const web = await h.appOn(nodeId, 101);
    // Same vmid on another node: not this heartbeat's guest.
    const elsewhere = await h.appOn(otherNode, 102);
    const hub = new MemoryHub(h.deps, { upgradeWebSocket: noSockets });

    const at = h.clock.now;
    hub.noteMetrics(nodeId, host, at, [guest(101, 0.5), guest(102, 0.1), guest(999, 0.3)]);
    expect(await h.db.select().from(appMetrics)).toEqual([]);

    await hub.flushMetrics();
    expect(await h.db.select().from(appMetrics)).toEqual([
      {
        appId: web,
        at,
        cpu: 0.5,
        memUsed: 256e6,
        memTotal: 512e6,
        diskUsed: 1e9,
        diskTotal: 8e9,
        netIn: 1200,
        netOut: 800,
      },
    ]);
    expect(await h.db.select().from(nodeMetrics)).toHaveLength(1);
    expect(elsewhere).not.toBe(web);

    // A node's samples are written once a minute at most.
    h.clock.now += 10_000;
    hub.noteMetrics(nodeId, host, h.clock.now, [guest(101, 0.7)]);
    await hub.flushMetrics();
    expect(await h.db.select().from(appMetrics)).toHaveLength(1);
    h.clock.now += 60_000;
    await hub.flushMetrics();
    expect((await h.db.select().from(appMetrics)).map((r) => r.cpu)).toEqual([0.5, 0.7]);
  });

  it("keeps working for heartbeats without guests (agents that predate them)", async () => {
    const nodeId = await h.node("pve-old");
    await h.appOn(nodeId, 201);
    const hub = new MemoryHub(h.deps, { upgradeWebSocket: noSockets });
    const before = (await h.db.select().from(appMetrics)).length;
    hub.noteMetrics(nodeId, host, h.clock.now);
    await hub.flushMetrics();
    expect(await h.db.select().from(appMetrics)).toHaveLength(before);
  });
});

describe("the memory hub's retention", () => {
  it("drops finished log and diagnostics reads after a day, with their events, and keeps the rest", async () => {
    const nodeId = await h.node("pve-r");
    const day = 24 * 3600_000;
    const job = async (
      id: string,
      kind: "app.logs" | "app.deploy" | "app.diagnostics",
      finishedAt: number | null,
    ) => {
      await h.db.insert(jobs).values({
        id,
        nodeId,
        kind,
        params: {},
        status: finishedAt === null ? "running" : "succeeded",
        createdAt: h.clock.now - 3 * day,
        updatedAt: h.clock.now,
        finishedAt,
      });
      await h.db
        .insert(jobEvents)
        .values({ jobId: id, seq: 1, at: h.clock.now, event: { kind: "log", level: "info", message: "x" } });
    };
    await job("job_oldlogs", "app.logs", h.clock.now - 2 * day);
    await job("job_olddiag", "app.diagnostics", h.clock.now - 2 * day);
    await job("job_newlogs", "app.logs", h.clock.now - 3600_000);
    await job("job_running", "app.logs", null);
    await job("job_deploy", "app.deploy", h.clock.now - 2 * day);

    await new MemoryHub(h.deps, { upgradeWebSocket: noSockets }).flushMetrics();
    const left = (await h.db.select({ id: jobs.id }).from(jobs))
      .map((j) => j.id)
      .filter((id) => id !== "job_x");
    expect(left).toEqual(expect.arrayContaining(["job_newlogs", "job_running", "job_deploy"]));
    expect(left).not.toContain("job_oldlogs");
    expect(left).not.toContain("job_olddiag");
    const events = (await h.db.select({ id: jobEvents.jobId }).from(jobEvents)).map((e) => e.id);
    expect(events).not.toContain("job_oldlogs");
    expect(events).toContain("job_deploy");
  });
});
