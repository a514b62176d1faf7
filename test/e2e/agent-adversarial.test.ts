// A forged agent with a real credential, over a real WebSocket, against the built server: frames
// too large, invalid, out of order, after a job's result, for another node's job, and floods.
// Each must be refused with an error naming its job, the control plane must stay up with the
// link open, the node's other work must keep flowing, and nothing refused may be stored.
import { readFileSync } from "node:fs";
import { MAX_FRAME_BYTES, MAX_TRANSPORT_BYTES } from "@pylon/shared";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FakeAgent } from "./support/fake-agent.ts";
import { type Client, type RunningServer, scratchDir, startServer } from "./support/server.ts";
import { ADMIN, adminClient, jobFinished } from "./support/stack.ts";

let dir: ReturnType<typeof scratchDir>;
let server: RunningServer;
let api: Client;
const agents: FakeAgent[] = [];

// A 1 MiB output limit per job, so a flood reaches it quickly.
const ENV = { ...ADMIN, PYLON_JOB_OUTPUT_MAX_MB: "1", PYLON_LOG_REQUESTS: "false" };

beforeAll(async () => {
  dir = scratchDir();
  server = await startServer(dir.dir, ENV);
  api = await adminClient(server.url);
}, 60_000);

afterAll(async () => {
  for (const a of agents) a.close();
  await server?.stop();
  dir?.cleanup();
});

interface Node {
  id: string;
  credential: string;
}

async function enrolledNode(name: string): Promise<Node> {
  const created = await api.call("POST", "/api/v1/nodes", { name });
  expect(created.status).toBe(201);
  const res = await fetch(`${server.url}/agent/v1/enroll`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      token: created.json.enrollment.token,
      agentVersion: "test",
      nodeName: name,
      pveVersion: null,
    }),
  });
  const body = (await res.json()) as { nodeId: string; credential: string };
  return { id: body.nodeId, credential: body.credential };
}

/** Connects, says hello, and finishes the inventory job the control plane queues on connect. */
async function connect(node: Node): Promise<FakeAgent> {
  const agent = await FakeAgent.connect(server.url, node.credential);
  agents.push(agent);
  agent.hello();
  await agent.next("welcome");
  const first = await agent.next("offer", (f) => f.kind === "node.inventory");
  await finishInventory(agent, first.jobId);
  return agent;
}

const INVENTORY = {
  pveVersion: "8.4.5",
  node: { cpu: 0.1, cpus: 4, memTotal: 8e9, memUsed: 2e9, uptime: 100 },
  guests: [],
  storages: [],
  templates: [],
};

async function finishInventory(agent: FakeAgent, jobId: string): Promise<void> {
  agent.send({ type: "accept", jobId });
  agent.send({
    type: "event",
    jobId,
    seq: 1,
    at: Date.now(),
    event: { kind: "result", status: "succeeded", result: INVENTORY },
  });
  await agent.next("ack", (f) => f.jobId === jobId && f.seq === 1);
}

/** A job of `node` offered to and accepted by `agent`, running. */
async function runningJob(agent: FakeAgent, node: Node): Promise<string> {
  const res = await api.call("POST", `/api/v1/nodes/${node.id}/guests/100/power`, {
    type: "lxc",
    action: "start",
  });
  expect(res.status).toBe(202);
  await agent.next("offer", (f) => f.jobId === res.json.id);
  agent.send({ type: "accept", jobId: res.json.id });
  await expect
    .poll(async () => (await api.call("GET", `/api/v1/jobs/${res.json.id}`)).json.status)
    .toBe("running");
  return res.json.id;
}

/** The node's work still flows on this connection: a new job is offered, run and stored. */
async function workFlows(agent: FakeAgent, node: Node): Promise<void> {
  const res = await api.call("POST", `/api/v1/nodes/${node.id}/inventory`);
  expect(res.status).toBe(202);
  const offer = await agent.next("offer", (f) => f.jobId === res.json.id, 10_000);
  await finishInventory(agent, offer.jobId);
  expect((await jobFinished(api, offer.jobId, 10_000)).status).toBe("succeeded");
  expect(agent.closed).toBeNull();
  expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
}

async function job(id: string) {
  return (await api.call("GET", `/api/v1/jobs/${id}`)).json;
}

async function storedSeqs(id: string): Promise<number[]> {
  const items = (await api.call("GET", `/api/v1/jobs/${id}/events?limit=1000`)).json.items as {
    seq: number;
  }[];
  return items.map((e) => e.seq);
}

const log = (message: string) => ({ kind: "log" as const, level: "info" as const, message });

function rssMb(pid: number): number {
  return Number(/VmRSS:\s+(\d+)/.exec(readFileSync(`/proc/${pid}/status`, "utf8"))?.[1] ?? 0) / 1024;
}

describe("a forged agent's frames", () => {
  it("oversized: refused with an error naming the job, which fails; the link stays open", async () => {
    const node = await enrolledNode("adv-big");
    const agent = await connect(node);
    const id = await runningJob(agent, node);
    const message = "\u0001".repeat(16_000);
    // Valid in every field but 1.5 MiB as a whole: many events' worth in one frame.
    agent.sendRaw(
      JSON.stringify({
        v: 1,
        type: "event",
        jobId: id,
        seq: 1,
        at: Date.now(),
        event: { kind: "result", status: "succeeded", result: { parts: Array(17).fill(message) } },
      }),
    );
    const refusal = await agent.next("error", (f) => f.jobId === id);
    expect(refusal).toMatchObject({
      code: "invalid_frame",
      message: expect.stringMatching(/over the link's limit of 1048576 bytes/),
    });
    expect(await job(id)).toMatchObject({
      status: "failed",
      error: expect.stringMatching(/refused: a frame of \d+ bytes/),
    });
    expect(await storedSeqs(id)).toEqual([]);
    await workFlows(agent, node);
  });

  it("beyond the transport's limit the socket closes (1009), and the agent reconnects and works", async () => {
    const node = await enrolledNode("adv-huge");
    const agent = await connect(node);
    agent.sendRaw(JSON.stringify({ v: 1, type: "heartbeat", at: 1, pad: "x".repeat(MAX_TRANSPORT_BYTES) }));
    expect((await agent.waitClose()).code).toBe(1009);
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
    const again = await FakeAgent.connect(server.url, node.credential);
    agents.push(again);
    again.hello();
    await again.next("welcome");
    await workFlows(again, node);
    expect(MAX_TRANSPORT_BYTES).toBeGreaterThan(MAX_FRAME_BYTES);
  });

  it("invalid: answered, naming the job when the frame names one; the named job fails, others go on", async () => {
    const node = await enrolledNode("adv-invalid");
    const agent = await connect(node);
    const victim = await runningJob(agent, node);
    const bystander = await runningJob(agent, node);
    agent.sendRaw("not json");
    expect(await agent.next("error")).toMatchObject({ code: "invalid_frame", message: "frame is not JSON" });
    agent.sendRaw(JSON.stringify({ v: 1, type: "launch" }));
    expect(await agent.next("error")).toMatchObject({ code: "invalid_frame" });
    agent.sendRaw(JSON.stringify({ v: 1, type: "event", jobId: victim, seq: "one", at: 1, event: log("x") }));
    expect(await agent.next("error", (f) => f.jobId === victim)).toMatchObject({ code: "invalid_frame" });
    agent.sendRaw(JSON.stringify({ v: 9, type: "accept", jobId: bystander }));
    expect(await agent.next("error")).toMatchObject({ code: "unsupported_version" });
    expect((await job(victim)).status).toBe("failed");
    expect(await storedSeqs(victim)).toEqual([]);
    // The bystander was named only by a frame of another version: refused, and failed too.
    // Anything that names no job fails nothing.
    expect((await job(bystander)).status).toBe("failed");
    await workFlows(agent, node);
  });

  it("out of order: refused with a retry and not stored; in order they are", async () => {
    const node = await enrolledNode("adv-order");
    const agent = await connect(node);
    const id = await runningJob(agent, node);
    agent.send({ type: "event", jobId: id, seq: 5, at: 1, event: log("five") });
    expect(await agent.next("error", (f) => f.jobId === id)).toMatchObject({
      code: "not_allowed",
      retry: true,
      message: expect.stringMatching(/out of order; the next one is 1/),
    });
    agent.send({ type: "event", jobId: id, seq: 2_000_000_000, at: 1, event: log("far") });
    await agent.next("error", (f) => f.jobId === id && f.retry === true);
    expect(await storedSeqs(id)).toEqual([]);
    for (let seq = 1; seq <= 3; seq++)
      agent.send({ type: "event", jobId: id, seq, at: 1, event: log(`${seq}`) });
    await agent.next("ack", (f) => f.jobId === id && f.seq === 3);
    expect(await storedSeqs(id)).toEqual([1, 2, 3]);
    expect((await job(id)).status).toBe("running");
  });

  it("after the result: refused for good; a resent result is acknowledged again", async () => {
    const node = await enrolledNode("adv-after");
    const agent = await connect(node);
    const id = await runningJob(agent, node);
    const result = { kind: "result" as const, status: "succeeded" as const };
    agent.send({ type: "event", jobId: id, seq: 1, at: 1, event: result });
    await agent.next("ack", (f) => f.jobId === id && f.seq === 1);
    agent.send({ type: "event", jobId: id, seq: 1, at: 1, event: result });
    await agent.next("ack", (f) => f.jobId === id && f.seq === 1);
    agent.send({ type: "event", jobId: id, seq: 2, at: 1, event: log("after the end") });
    const refusal = await agent.next("error", (f) => f.jobId === id);
    expect(refusal).toMatchObject({
      code: "not_allowed",
      message: expect.stringMatching(/has ended \(succeeded\)/),
    });
    expect(refusal.retry).toBeUndefined();
    expect(await storedSeqs(id)).toEqual([1]);
    expect((await job(id)).status).toBe("succeeded");
    await workFlows(agent, node);
  });

  it("for another node's job: refused, and that job and its events are untouched", async () => {
    const mine = await enrolledNode("adv-mine");
    const theirs = await enrolledNode("adv-theirs");
    const forger = await connect(mine);
    const owner = await connect(theirs);
    const id = await runningJob(owner, theirs);
    owner.send({ type: "event", jobId: id, seq: 1, at: 1, event: log("real") });
    await owner.next("ack", (f) => f.jobId === id);
    forger.send({ type: "event", jobId: id, seq: 2, at: 1, event: { kind: "result", status: "failed" } });
    expect(await forger.next("error", (f) => f.jobId === id)).toMatchObject({
      code: "not_allowed",
      message: expect.stringMatching(/not this node's/),
    });
    // A frame that fails validation while naming another node's job fails nothing either.
    forger.sendRaw(JSON.stringify({ v: 1, type: "event", jobId: id, seq: -1 }));
    await forger.next("error", (f) => f.jobId === id && f.code === "invalid_frame");
    forger.send({ type: "absent", jobId: id });
    forger.send({ type: "reject", jobId: id, reason: "invalid_params", message: "no" });
    await workFlows(forger, mine);
    expect(await job(id)).toMatchObject({ status: "running" });
    expect(await storedSeqs(id)).toEqual([1]);
    await workFlows(owner, theirs);
  });

  it("floods: events past the job's output limit end it, invalid frames are all answered, memory stays bounded", async () => {
    const node = await enrolledNode("adv-flood");
    const agent = await connect(node);
    const id = await runningJob(agent, node);
    const rssBefore = rssMb(server.pid);
    const kb = "x".repeat(1000);
    // 3,000 events of 1 kB against a 1 MiB output limit, as fast as the socket takes them.
    for (let seq = 1; seq <= 3000; seq++)
      agent.send({ type: "event", jobId: id, seq, at: 1, event: log(kb) });
    await expect.poll(async () => (await job(id)).status, { timeout: 60_000 }).toBe("failed");
    expect((await job(id)).error).toBe("The job's output exceeded the limit of 1 MiB; it was stopped");
    // Invalid frames: every one answered, none closes the link.
    for (let i = 0; i < 5000; i++) agent.sendRaw(`{"v":1,"type":"nonsense-${i}"}`);
    agent.send({ type: "heartbeat", at: Date.now() });
    await expect
      .poll(() => agent.frames.filter((f) => f.type === "error" && f.code === "invalid_frame").length, {
        timeout: 60_000,
      })
      .toBeGreaterThanOrEqual(5000);
    const seqs = await storedSeqs(id);
    expect(seqs.length).toBeGreaterThan(900);
    expect(seqs.length).toBeLessThan(1100);
    expect(seqs).toEqual(seqs.map((_, i) => i + 1));
    // Everything after the limit was refused (answered), not stored.
    expect(agent.frames.filter((f) => f.type === "error" && f.jobId === id).length).toBe(3000 - seqs.length);
    expect(rssMb(server.pid) - rssBefore).toBeLessThan(150);
    await workFlows(agent, node);
  }, 180_000);
});
