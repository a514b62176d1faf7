// The Durable Object hub's logic against a real database and a recording stand-in for the
// object's state: work told to the object reaches its agent at once (no sweep, no polling), a
// socket that outlived the object's memory (hibernation) carries on without a new hello, and
// live views watching the object hear the node's changes. test/e2e/worker-stack.test.ts runs the
// same object in workerd.
import { encodeFrame, parseServerFrame, type ServerFrame } from "@pylon/shared";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type NodeRow, nodes } from "../db/schema/index.ts";
import { createJob } from "../services/jobs.ts";
import { createSchedule } from "../services/schedules.ts";
import { type Harness, makeHarness } from "../testing/harness.ts";
import { ChangeBus } from "./change-bus.ts";
import { NodeHubObject } from "./node-hub-object.ts";
import type { HibernatableSocket, HubObjectState } from "./workers-platform.ts";

let h: Harness;
beforeAll(async () => {
  h = await makeHarness();
});
afterAll(() => h.close());

type Without<T> = T extends unknown ? Omit<T, "v"> : never;

class FakeSocket implements HibernatableSocket {
  sent: ServerFrame[] = [];
  closed: number[] = [];
  private attachment: unknown = null;
  send(text: string) {
    const parsed = parseServerFrame(text);
    if (!parsed.ok) throw new Error(parsed.error.message);
    this.sent.push(parsed.frame);
  }
  close(code = 1000) {
    this.closed.push(code);
  }
  serializeAttachment(v: unknown) {
    // Structured clone, as workerd stores it.
    this.attachment = structuredClone(v);
  }
  deserializeAttachment() {
    return this.attachment;
  }
  offers() {
    return this.sent.filter((f) => f.type === "offer").map((f) => (f as { jobId: string }).jobId);
  }
}

function fakeState() {
  const sockets: FakeSocket[] = [];
  let alarm: number | null = null;
  const state: HubObjectState = {
    acceptWebSocket: (ws) => void sockets.push(ws as FakeSocket),
    getWebSockets: () => sockets,
    storage: {
      getAlarm: async () => alarm,
      setAlarm: async (at) => {
        alarm = at;
      },
    },
  };
  return { state, sockets, alarm: () => alarm };
}

const frame = (f: Without<Parameters<typeof encodeFrame>[0]>) =>
  encodeFrame(f as Parameters<typeof encodeFrame>[0]);
const hello = frame({
  type: "hello",
  agentVersion: "test",
  nodeName: "pve",
  pveVersion: null,
  capabilities: ["guest.power"],
  jobs: [],
});

/** A job queued by another process: its bus is not the object's, so only `change` tells the object. */
async function queuedElsewhere(nodeId: string) {
  const elsewhere = { ...h.deps, bus: new ChangeBus({ db: h.db, now: h.deps.now, logger: h.deps.logger }) };
  return createJob(elsewhere, {
    nodeId,
    kind: "guest.power",
    params: { vmid: 100, type: "lxc", action: "start" },
    origin: { requestedBy: null, outputAccess: null },
  });
}

async function connectedObject() {
  const nodeId = await h.node();
  const [node] = await h.db.select().from(nodes).where(eq(nodes.id, nodeId));
  const s = fakeState();
  const deps = { ...h.deps, bus: new ChangeBus({ db: h.db, now: h.deps.now, logger: h.deps.logger }) };
  const hub = new NodeHubObject(s.state, deps, { heartbeatMs: 1000 });
  const ws = new FakeSocket();
  await hub.attach(ws, node as NodeRow);
  await hub.message(ws, hello);
  return { nodeId, node: node as NodeRow, s, deps, hub, ws };
}

describe("the Durable Object hub", () => {
  it("welcomes the agent, marks the node connected to the object, and sets the alarm", async () => {
    const { nodeId, ws, s } = await connectedObject();
    expect(ws.sent[0]).toMatchObject({ type: "welcome", nodeId });
    const [row] = await h.db.select().from(nodes).where(eq(nodes.id, nodeId));
    expect(row?.connectedInstance).toBe(`do_${nodeId}`);
    expect(s.alarm()).not.toBeNull();
  });

  it("offers a job the moment it is told of it, without waiting for the alarm's sweep", async () => {
    const { nodeId, ws, hub } = await connectedObject();
    const job = await queuedElsewhere(nodeId);
    expect(ws.offers()).not.toContain(job.id);
    hub.change({ topic: "job.queued", nodeId, jobId: job.id });
    await expect.poll(() => ws.offers()).toContain(job.id);
  });

  it("pushes the node's schedules to its agent the moment it is told they changed", async () => {
    const { nodeId, ws, hub } = await connectedObject();
    const pushes = () =>
      ws.sent.filter((f) => f.type === "schedules") as { schedules: { schedule: string; cron: string }[] }[];
    await expect.poll(() => pushes().length).toBeGreaterThan(0);
    const before = pushes().length;
    const appId = await h.appOn(nodeId, 140);
    await h.db.update(nodes).set({ backupStorage: "local" }).where(eq(nodes.id, nodeId));
    const elsewhere = { ...h.deps, bus: new ChangeBus({ db: h.db, now: h.deps.now, logger: h.deps.logger }) };
    await createSchedule(elsewhere, appId, { kind: "backup", cron: "0 3 * * *" });
    expect(pushes()).toHaveLength(before);
    hub.change({ topic: "schedules.changed", nodeId, jobId: null });
    await expect.poll(() => pushes().length).toBe(before + 1);
    expect(pushes().at(-1)?.schedules).toEqual([
      expect.objectContaining({ schedule: "backup", cron: "0 3 * * *", kind: "app.backup" }),
    ]);
  });

  it("finds queued work it was not told of on its alarm", async () => {
    const { nodeId, ws, hub } = await connectedObject();
    const job = await queuedElsewhere(nodeId);
    await hub.alarm();
    expect(ws.offers()).toContain(job.id);
  });

  it("carries on after hibernation: the socket's attachment restores the session without a new hello", async () => {
    const { nodeId, ws, s, deps } = await connectedObject();
    const running = await queuedElsewhere(nodeId);
    const first = new NodeHubObject(s.state, deps, { heartbeatMs: 1000 });
    first.change({ topic: "job.queued", nodeId, jobId: running.id });
    await expect.poll(() => ws.offers()).toContain(running.id);
    await first.message(ws, frame({ type: "accept", jobId: running.id }));

    // Memory gone; the socket (and its attachment) survive.
    const woken = new NodeHubObject(s.state, deps, { heartbeatMs: 1000 });
    const before = ws.sent.length;
    await woken.message(
      ws,
      frame({
        type: "event",
        jobId: running.id,
        seq: 1,
        at: h.clock.now,
        event: { kind: "result", status: "succeeded", result: {} },
      }),
    );
    expect(ws.sent.slice(before)).toEqual([
      expect.objectContaining({ type: "ack", jobId: running.id, seq: 1 }),
    ]);
    const next = await queuedElsewhere(nodeId);
    woken.change({ topic: "job.queued", nodeId, jobId: next.id });
    await expect.poll(() => ws.offers()).toContain(next.id);
  });

  it("streams the node's changes to a watching live view, one JSON line each", async () => {
    const { nodeId, hub } = await connectedObject();
    const reader = hub.watch().getReader();
    hub.change({ topic: "job.event", nodeId, jobId: "job_x" });
    const { value } = await reader.read();
    expect(JSON.parse(new TextDecoder().decode(value))).toEqual({
      topic: "job.event",
      nodeId,
      jobId: "job_x",
    });
    await reader.cancel();
  });

  it("forgets a closed socket and marks the node disconnected", async () => {
    const { nodeId, ws, hub } = await connectedObject();
    await hub.closed(ws);
    const [row] = await h.db.select().from(nodes).where(eq(nodes.id, nodeId));
    expect(row?.connectedInstance).toBeNull();
  });
});
