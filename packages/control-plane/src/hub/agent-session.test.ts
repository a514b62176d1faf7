// The agent session's refusals, against a real database and a recording socket: every frame it
// cannot take is answered (naming its job), the link stays open, and nothing is stored that the
// rules forbid. test/e2e/agent-adversarial.test.ts does the same over a real WebSocket.
import { encodeFrame, MAX_FRAME_BYTES, parseServerFrame, type ServerFrame } from "@pylon/shared";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { jobEvents, jobs, type NodeRow, nodes } from "../db/schema/index.ts";
import { createJob } from "../services/jobs.ts";
import { type FaultyDb, faultyDb } from "../testing/faulty-db.ts";
import { type Harness, makeHarness } from "../testing/harness.ts";
import { AgentSession } from "./agent-session.ts";
import type { HubContext } from "./session-context.ts";

let h: Harness;
beforeAll(async () => {
  h = await makeHarness();
});
afterAll(() => h.close());

type Without<T> = T extends unknown ? Omit<T, "v"> : never;

/** A connected agent: its session and every frame the control plane sent it. */
async function connected(opts: { maxJobOutputBytes?: number; faulty?: FaultyDb; hello?: boolean } = {}) {
  const nodeId = await h.node();
  const [node] = await h.db.select().from(nodes).where(eq(nodes.id, nodeId));
  const sent: ServerFrame[] = [];
  const closed: { code?: number; reason?: string }[] = [];
  const hub: HubContext = {
    deps: opts.faulty ? { ...h.deps, db: opts.faulty.db } : h.deps,
    instanceId: "cp_test",
    heartbeatMs: 1000,
    maxConcurrentJobs: 4,
    maxJobOutputBytes: opts.maxJobOutputBytes ?? 1024 * 1024,
    noteMetrics() {},
  };
  const session = new AgentSession(
    {
      send: (text) => {
        const parsed = parseServerFrame(text);
        if (!parsed.ok) throw new Error(`the control plane sent an invalid frame: ${parsed.error.message}`);
        sent.push(parsed.frame);
      },
      close: (code, reason) => closed.push({ code, reason }),
    },
    node as NodeRow,
    hub,
  );
  const receive = (frame: Without<Parameters<typeof encodeFrame>[0]>) =>
    session.receive(encodeFrame(frame as Parameters<typeof encodeFrame>[0]));
  const hello = () =>
    receive({
      type: "hello",
      agentVersion: "test",
      nodeName: "pve",
      pveVersion: null,
      capabilities: ["guest.power"],
      jobs: [],
    });
  if (opts.hello !== false) await hello();
  const errors = () => sent.filter((f) => f.type === "error");
  return { nodeId, session, sent, closed, receive, errors, hello };
}

/** A guest.power job offered to (and accepted by) the connected agent. */
async function runningJob(agent: Awaited<ReturnType<typeof connected>>) {
  const job = await createJob(h.deps, {
    nodeId: agent.nodeId,
    kind: "guest.power",
    params: { vmid: 100, type: "lxc", action: "start" },
    origin: { requestedBy: null, outputAccess: null },
  });
  await agent.session.jobs.dispatch();
  expect(agent.sent.some((f) => f.type === "offer" && f.jobId === job.id)).toBe(true);
  await agent.receive({ type: "accept", jobId: job.id });
  return job.id;
}

const log = (message: string) => ({ kind: "log" as const, level: "info" as const, message });

async function jobRow(id: string) {
  const [row] = await h.db.select().from(jobs).where(eq(jobs.id, id));
  return row!;
}

async function storedSeqs(id: string) {
  const rows = await h.db.select().from(jobEvents).where(eq(jobEvents.jobId, id));
  return rows.map((r) => r.seq).sort((a, b) => a - b);
}

describe("events the control plane accepts", () => {
  it("stores events in order, acknowledges resends, and refuses gaps with a retry", async () => {
    const agent = await connected();
    const id = await runningJob(agent);
    await agent.receive({ type: "event", jobId: id, seq: 1, at: 1, event: log("one") });
    await agent.receive({ type: "event", jobId: id, seq: 3, at: 1, event: log("three") });
    expect(agent.errors().at(-1)).toMatchObject({
      code: "not_allowed",
      jobId: id,
      retry: true,
      message: expect.stringMatching(/out of order; the next one is 2/),
    });
    expect(await storedSeqs(id)).toEqual([1]);
    await agent.receive({ type: "event", jobId: id, seq: 1, at: 1, event: log("one again") });
    expect(agent.sent.filter((f) => f.type === "ack").map((f) => f.seq)).toEqual([1, 1]);
    await agent.receive({ type: "event", jobId: id, seq: 2, at: 1, event: log("two") });
    await agent.receive({ type: "event", jobId: id, seq: 3, at: 1, event: log("three") });
    expect(await storedSeqs(id)).toEqual([1, 2, 3]);
    expect((await jobRow(id)).lastSeq).toBe(3);
    expect(agent.closed).toEqual([]);
  });

  it("refuses events after the result for good, and still acknowledges a resent result", async () => {
    const agent = await connected();
    const id = await runningJob(agent);
    const result = { kind: "result" as const, status: "succeeded" as const };
    await agent.receive({ type: "event", jobId: id, seq: 1, at: 1, event: result });
    expect((await jobRow(id)).status).toBe("succeeded");
    await agent.receive({ type: "event", jobId: id, seq: 1, at: 1, event: result });
    expect(agent.sent.filter((f) => f.type === "ack" && f.jobId === id)).toHaveLength(2);
    await agent.receive({ type: "event", jobId: id, seq: 2, at: 1, event: log("late") });
    const refusal = agent.errors().at(-1);
    expect(refusal).toMatchObject({
      code: "not_allowed",
      jobId: id,
      message: expect.stringMatching(/has ended/),
    });
    expect(refusal).not.toHaveProperty("retry");
    expect(await storedSeqs(id)).toEqual([1]);
  });

  it("refuses another node's job and a job never offered, changing neither", async () => {
    const mine = await connected();
    const other = await connected();
    const theirs = await runningJob(other);
    await mine.receive({ type: "event", jobId: theirs, seq: 1, at: 1, event: log("forged") });
    expect(mine.errors().at(-1)).toMatchObject({
      jobId: theirs,
      message: expect.stringMatching(/not this node's/),
    });
    const queued = await createJob(h.deps, {
      nodeId: mine.nodeId,
      kind: "node.inventory",
      params: {},
      origin: { requestedBy: null, outputAccess: null },
    });
    await mine.receive({
      type: "event",
      jobId: queued.id,
      seq: 1,
      at: 1,
      event: { kind: "result", status: "failed" },
    });
    expect(mine.errors().at(-1)).toMatchObject({
      jobId: queued.id,
      message: expect.stringMatching(/not offered/),
    });
    expect((await jobRow(theirs)).status).toBe("running");
    expect((await jobRow(queued.id)).status).toBe("queued");
    expect(await storedSeqs(theirs)).toEqual([]);
    expect(await storedSeqs(queued.id)).toEqual([]);
  });

  it("ends a job whose output passes its limit, saying so, and refuses its later events", async () => {
    const agent = await connected({ maxJobOutputBytes: 4000 });
    const id = await runningJob(agent);
    let seq = 0;
    for (let i = 0; i < 10; i++)
      await agent.receive({ type: "event", jobId: id, seq: ++seq, at: 1, event: log("x".repeat(900)) });
    const job = await jobRow(id);
    expect(job.status).toBe("failed");
    expect(job.error).toBe("The job's output exceeded the limit of 3.9 KiB; it was stopped");
    expect(job.eventBytes).toBeLessThanOrEqual(4000);
    const stored = await storedSeqs(id);
    expect(stored.length).toBeGreaterThanOrEqual(3);
    expect(stored.length).toBeLessThan(5);
    const refusals = agent.errors().filter((f) => f.type === "error" && f.jobId === id);
    expect(refusals[0]).toMatchObject({ message: expect.stringMatching(/output limit/) });
    expect(refusals.length).toBe(10 - stored.length);
    // Its slot is free again: the agent is offered the next job.
    expect(agent.session.jobs.inFlight.has(id)).toBe(false);
  });
});

describe("frames refused as a whole", () => {
  it("answers an oversized frame about a job with an error naming it, fails the job, keeps the link", async () => {
    const agent = await connected();
    const id = await runningJob(agent);
    const huge = encodeFrame({
      type: "event",
      jobId: id,
      seq: 1,
      at: 1,
      event: {
        kind: "result",
        status: "succeeded",
        result: { output: "\u0001".repeat(MAX_FRAME_BYTES / 5) },
      },
    });
    expect(huge.length).toBeGreaterThan(MAX_FRAME_BYTES);
    await agent.session.receive(huge);
    expect(agent.errors().at(-1)).toMatchObject({
      code: "invalid_frame",
      jobId: id,
      message: expect.stringMatching(/over the link's limit of 1048576 bytes/),
    });
    const job = await jobRow(id);
    expect(job.status).toBe("failed");
    expect(job.error).toMatch(/refused: a frame of \d+ bytes/);
    expect(await storedSeqs(id)).toEqual([]);
    expect(agent.closed).toEqual([]);
    // The link goes on: a heartbeat is taken, and a new job is offered.
    await agent.receive({ type: "heartbeat", at: 2 });
    expect(agent.errors()).toHaveLength(1);
  });

  it("fails the job an invalid frame names, and answers frames naming no job without a job", async () => {
    const agent = await connected();
    const id = await runningJob(agent);
    await agent.session.receive(JSON.stringify({ v: 1, type: "event", jobId: id, seq: "x" }));
    expect(agent.errors().at(-1)).toMatchObject({ code: "invalid_frame", jobId: id });
    expect((await jobRow(id)).status).toBe("failed");
    await agent.session.receive("not json");
    expect(agent.errors().at(-1)).toEqual({
      v: 1,
      type: "error",
      code: "invalid_frame",
      message: "frame is not JSON",
    });
    expect(agent.closed).toEqual([]);
  });
});

describe("a database that fails for a moment", () => {
  it("answers an event it could not store with a retry naming the job, and stores the resend", async () => {
    const faulty = faultyDb(h.db);
    const agent = await connected({ faulty });
    const id = await runningJob(agent);
    faulty.failing = true;
    await agent.receive({ type: "event", jobId: id, seq: 1, at: 1, event: log("one") });
    expect(agent.errors().at(-1)).toMatchObject({ code: "internal", jobId: id, retry: true });
    expect(agent.closed).toEqual([]);
    faulty.failing = false;
    await agent.receive({ type: "event", jobId: id, seq: 1, at: 1, event: log("one") });
    expect(agent.sent.at(-1)).toMatchObject({ type: "ack", jobId: id, seq: 1 });
    expect(await storedSeqs(id)).toEqual([1]);
  });

  it("closes with 1013 (try again later) when hello cannot be recorded, so the agent reconnects", async () => {
    const faulty = faultyDb(h.db);
    const agent = await connected({ faulty, hello: false });
    faulty.failing = true;
    await agent.hello();
    expect(agent.closed).toEqual([{ code: 1013, reason: expect.stringMatching(/try again/) }]);
    expect(agent.sent.some((f) => f.type === "welcome")).toBe(false);
  });
});
