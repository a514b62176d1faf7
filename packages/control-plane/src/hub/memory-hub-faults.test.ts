// The hub's background work (instance heartbeat, dispatch, detach, sweep, metrics flush) while
// every database call fails for a while: nothing rejects unhandled (which would end a Node
// process), each failure is logged, and the work is done once the database answers again.
import { encodeFrame, parseServerFrame, type ServerFrame } from "@pylon/shared";
import { eq } from "drizzle-orm";
import type { UpgradeWebSocket, WSContext, WSEvents } from "hono/ws";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { instances, type NodeRow, nodes } from "../db/schema/index.ts";
import type { Logger } from "../lib/logger.ts";
import { createJob } from "../services/jobs.ts";
import { faultyDb } from "../testing/faulty-db.ts";
import { type Harness, makeHarness } from "../testing/harness.ts";
import { MemoryHub } from "./memory-hub.ts";

let h: Harness;
const unhandled: unknown[] = [];
const onUnhandled = (reason: unknown) => unhandled.push(reason);
beforeAll(async () => {
  h = await makeHarness({ now: Date.now });
  process.on("unhandledRejection", onUnhandled);
});
afterAll(() => {
  process.off("unhandledRejection", onUnhandled);
  h.close();
});

let hub: MemoryHub | undefined;
afterEach(async () => {
  await hub?.stop();
});

/** Captures the hub's WebSocket handlers so a test can play the socket. */
function socketPlayer() {
  let make: ((c: unknown) => WSEvents) | undefined;
  const upgradeWebSocket = ((fn: (c: unknown) => WSEvents) => {
    make = fn;
    return async () => undefined;
  }) as unknown as UpgradeWebSocket;
  const open = (node: NodeRow, raw?: { pause(): void; resume(): void }) => {
    if (!make) throw new Error("the hub has not registered its handlers");
    const events = make({ get: () => node });
    const sent: ServerFrame[] = [];
    const ws = {
      send: (text: string) => {
        const parsed = parseServerFrame(text);
        if (parsed.ok) sent.push(parsed.frame);
      },
      close: () => {},
      raw,
    } as unknown as WSContext;
    events.onOpen?.(new Event("open"), ws);
    return {
      sent,
      receive: (frame: Parameters<typeof encodeFrame>[0]) =>
        events.onMessage?.(new MessageEvent("message", { data: encodeFrame(frame) }), ws),
      receiveText: (data: string) => events.onMessage?.(new MessageEvent("message", { data }), ws),
      close: () =>
        events.onClose?.(new Event("close") as Parameters<NonNullable<WSEvents["onClose"]>>[0], ws),
    };
  };
  return { upgradeWebSocket, open };
}

async function until(check: () => Promise<boolean> | boolean, ms = 10_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!(await check())) {
    if (Date.now() > deadline) throw new Error("timed out");
    await new Promise((r) => setTimeout(r, 20));
  }
}

async function nodeRow(id: string): Promise<NodeRow> {
  const [row] = await h.db.select().from(nodes).where(eq(nodes.id, id));
  return row!;
}

describe("the hub while the database fails", () => {
  it("logs every failed background write, rejects nothing unhandled, and catches up afterwards", async () => {
    const faulty = faultyDb(h.db);
    const warnings: string[] = [];
    const logger: Logger = {
      info() {},
      warn: (msg) => warnings.push(msg),
      error: (msg) => warnings.push(msg),
    };
    const player = socketPlayer();
    hub = new MemoryHub(
      { ...h.deps, db: faulty.db, logger },
      {
        upgradeWebSocket: player.upgradeWebSocket,
        heartbeatMs: 60_000,
        timing: { sweepMs: 50, instanceBeatMs: 100, instanceRetryMs: 50, metricsFlushMs: 100 },
      },
    );
    await hub.start();
    const staying = await h.node();
    const leaving = await h.node();
    const agent = player.open(await nodeRow(staying));
    agent.receive({
      type: "hello",
      agentVersion: "test",
      nodeName: "pve",
      pveVersion: null,
      capabilities: ["guest.power", "node.inventory"],
      jobs: [],
    });
    const gone = player.open(await nodeRow(leaving));
    gone.receive({
      type: "hello",
      agentVersion: "t",
      nodeName: "pve",
      pveVersion: null,
      capabilities: [],
      jobs: [],
    });
    await until(
      () => agent.sent.some((f) => f.type === "welcome") && gone.sent.some((f) => f.type === "welcome"),
    );
    await until(async () => (await nodeRow(leaving)).connectedInstance === hub?.instanceId);

    faulty.failing = true;
    const failedFrom = Date.now();
    // Work arrives while the database fails: a job (announced on the change bus), a connection
    // that ends, heartbeat metrics to flush.
    const job = await createJob(h.deps, {
      nodeId: staying,
      kind: "guest.power",
      params: { vmid: 100, type: "lxc", action: "start" },
      origin: { requestedBy: null, outputAccess: null },
    });
    gone.close();
    agent.receive({
      type: "heartbeat",
      at: Date.now(),
      metrics: {
        cpu: 0.5,
        cpus: 4,
        memTotal: 8,
        memUsed: 4,
        diskTotal: 8,
        diskUsed: 1,
        uptime: 9,
        loadavg: [],
      },
    });
    await until(() => faulty.failures > 20);
    await new Promise((r) => setTimeout(r, 300));
    expect(agent.sent.some((f) => f.type === "offer" && f.jobId === job.id)).toBe(false);
    for (const what of ["instance heartbeat", "hub sweep", "agent detach", "metrics flush"])
      expect(warnings, what).toContain(`${what} failed; will try again`);

    faulty.failing = false;
    const recoveredAt = Date.now();
    await until(() => agent.sent.some((f) => f.type === "offer" && f.jobId === job.id));
    await until(async () => (await nodeRow(leaving)).connectedInstance === null);
    await until(async () => {
      const [row] = await h.db.select().from(instances).where(eq(instances.id, hub!.instanceId));
      return (row?.heartbeatAt ?? 0) >= recoveredAt;
    });
    await until(async () => (await nodeRow(staying)).metrics?.cpu === 0.5);
    expect((await nodeRow(staying)).connectedInstance).toBe(hub.instanceId);
    expect(unhandled).toEqual([]);
    expect(recoveredAt - failedFrom).toBeGreaterThan(0);
  });
});

describe("a connection that sends faster than its frames are handled", () => {
  it("is paused at the socket past 8 MiB waiting, and resumed once they are handled", async () => {
    const player = socketPlayer();
    hub = new MemoryHub(h.deps, { upgradeWebSocket: player.upgradeWebSocket, heartbeatMs: 60_000 });
    const calls: string[] = [];
    const agent = player.open(await nodeRow(await h.node()), {
      pause: () => calls.push("pause"),
      resume: () => calls.push("resume"),
    });
    agent.receive({
      type: "hello",
      agentVersion: "t",
      nodeName: "pve",
      pveVersion: null,
      capabilities: [],
      jobs: [],
    });
    // 12 frames of about 900 kB arrive at once (invalid ones: each is answered, none stored).
    const big = JSON.stringify({ v: 1, type: "nonsense", pad: "x".repeat(900_000) });
    for (let i = 0; i < 12; i++) agent.receiveText(big);
    expect(calls).toEqual(["pause"]);
    await until(() => agent.sent.filter((f) => f.type === "error").length === 12);
    await until(() => calls.length === 2);
    expect(calls).toEqual(["pause", "resume"]);
  });
});
