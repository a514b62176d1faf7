// The control plane's side of the agent link, with a scripted agent over a real WebSocket and
// real server processes.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { FakeAgent } from "./support/fake-agent.ts";
import { Client, type RunningServer, scratchDir, startServer } from "./support/server.ts";
import { ADMIN, adminClient } from "./support/stack.ts";

const ENV = { ...ADMIN, PYLON_AGENT_HEARTBEAT_MS: "400" };

let dir: ReturnType<typeof scratchDir>;
let a: RunningServer;
let b: RunningServer;
let api: Client;
const agents: FakeAgent[] = [];

async function enrolledNode(name: string): Promise<{ id: string; credential: string }> {
  const created = await api.call("POST", "/api/v1/nodes", { name });
  expect(created.status).toBe(201);
  const token = created.json.enrollment.token;
  const res = await fetch(`${a.url}/agent/v1/enroll`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ token, agentVersion: "test", nodeName: name, pveVersion: "8.4.5" }),
  });
  expect(res.status).toBe(200);
  const body = (await res.json()) as { nodeId: string; credential: string };
  return { id: body.nodeId, credential: body.credential };
}

async function connect(url: string, credential: string): Promise<FakeAgent> {
  const agent = await FakeAgent.connect(url, credential);
  agents.push(agent);
  agent.hello();
  await agent.next("welcome");
  return agent;
}

beforeAll(async () => {
  dir = scratchDir();
  a = await startServer(dir.dir, ENV);
  b = await startServer(dir.dir, ENV);
  api = await adminClient(a.url);
}, 60_000);

afterAll(async () => {
  for (const ag of agents) ag.close();
  await Promise.all([a?.stop(), b?.stop()]);
  dir?.cleanup();
});

describe("enrollment", () => {
  it("returns a one-time token and an install command; the token works once", async () => {
    const created = await api.call("POST", "/api/v1/nodes", { name: "pve-enroll" });
    expect(created.json.enrollment.installCommand).toBe(
      `curl -fsSL '${a.url}/install/agent.sh' | PYLON_ENROLL_TOKEN='${created.json.enrollment.token}' sh -s -- --url '${a.url}' --insecure`,
    );
    expect(created.json.node.status).toBe("pending");
    const body = {
      token: created.json.enrollment.token,
      agentVersion: "1",
      nodeName: "pve",
      pveVersion: null,
    };
    const first = await fetch(`${a.url}/agent/v1/enroll`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
    });
    expect(first.status).toBe(200);
    const again = await fetch(`${b.url}/agent/v1/enroll`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(body),
    });
    expect(again.status).toBe(401);
    expect(((await again.json()) as { error: { message: string } }).error.message).toMatch(
      /already used or expired/,
    );
    const listed = await api.call("GET", "/api/v1/nodes");
    const node = listed.json.items.find((n: { name: string }) => n.name === "pve-enroll");
    expect(node.status).toBe("offline");
    expect(JSON.stringify(listed.json)).not.toContain(created.json.enrollment.token);
  });

  it("refuses a connection without a valid credential before upgrading", async () => {
    await expect(FakeAgent.connect(a.url, "pya_not-a-real-credential")).rejects.toThrow(/401/);
  });
});

describe("jobs over the link", () => {
  it("offers a job, stores each event once, acknowledges, finishes, and streams to any process", async () => {
    const node = await enrolledNode("pve-jobs");
    const agent = await connect(a.url, node.credential);
    await expect
      .poll(async () => (await api.call("GET", `/api/v1/nodes/${node.id}`)).json.status)
      .toBe("online");

    // Created through process B, dispatched by process A which holds the socket.
    const viaB = new Client(b.url, api.bearer);
    const job = (await viaB.call("POST", `/api/v1/nodes/${node.id}/inventory`)).json;
    const offer = await agent.next("offer", (f) => f.jobId === job.id);
    expect(offer).toMatchObject({ kind: "node.inventory", attempt: 1 });
    agent.send({ type: "accept", jobId: job.id });
    await expect
      .poll(async () => (await api.call("GET", `/api/v1/jobs/${job.id}`)).json.status)
      .toBe("running");

    // A live view on process B, opened before the events exist.
    const stream = await fetch(`${b.url}/api/v1/jobs/${job.id}/stream`, {
      headers: { authorization: `Bearer ${api.bearer}` },
    });
    expect(stream.headers.get("content-type")).toMatch(/text\/event-stream/);
    const text = stream.text();

    const log = { kind: "log" as const, level: "info" as const, message: "reading guests" };
    agent.send({ type: "event", jobId: job.id, seq: 1, at: Date.now(), event: log });
    agent.send({ type: "event", jobId: job.id, seq: 1, at: Date.now(), event: log }); // resent after a cut
    expect(await agent.next("ack", (f) => f.jobId === job.id)).toMatchObject({ seq: 1 });
    const inventory = {
      pveVersion: "8.4.5",
      node: { cpu: 0.1, cpus: 4, memTotal: 8e9, memUsed: 2e9, uptime: 100 },
      guests: [
        {
          vmid: 101,
          type: "lxc",
          name: "web",
          status: "running",
          template: false,
          cpus: 1,
          maxmem: 5e8,
          maxdisk: 8e9,
          lock: null,
        },
      ],
      storages: [],
      templates: [],
    };
    agent.send({
      type: "event",
      jobId: job.id,
      seq: 2,
      at: Date.now(),
      event: { kind: "result", status: "succeeded", result: inventory },
    });
    expect(await agent.next("ack", (f) => f.jobId === job.id && f.seq === 2)).toBeTruthy();

    const events = await api.call("GET", `/api/v1/jobs/${job.id}/events`);
    expect(events.json.items.map((e: { seq: number }) => e.seq)).toEqual([1, 2]);
    expect(events.json.done).toBe(true);
    expect((await api.call("GET", `/api/v1/jobs/${job.id}`)).json.status).toBe("succeeded");
    const detail = (await api.call("GET", `/api/v1/nodes/${node.id}`)).json;
    expect(detail.inventory.guests[0].name).toBe("web");
    expect(detail.guestCount).toBe(1);

    const sse = await text;
    expect(sse.match(/^event: event$/gm)).toHaveLength(2);
    expect(sse).toMatch(/^id: 1$/m);
    expect(sse).toMatch(/reading guests/);
    expect(sse).toMatch(/^event: end$/m);

    // Resume from Last-Event-ID: only what comes after.
    const resumed = await fetch(`${a.url}/api/v1/jobs/${job.id}/stream`, {
      headers: { authorization: `Bearer ${api.bearer}`, "last-event-id": "1" },
    });
    const rest = await resumed.text();
    expect(rest.match(/^event: event$/gm)).toHaveLength(1);
    expect(rest).toMatch(/^id: 2$/m);
  });

  it("re-offers a job whose offer was lost when the agent reconnects without it", async () => {
    const node = await enrolledNode("pve-reoffer");
    const first = await connect(a.url, node.credential);
    const job = (await api.call("POST", `/api/v1/nodes/${node.id}/inventory`)).json;
    await first.next("offer", (f) => f.jobId === job.id);
    first.close(); // cut before accepting
    const second = await connect(b.url, node.credential);
    const offer = await second.next("offer", (f) => f.jobId === job.id);
    expect(offer.attempt).toBe(2);
  });

  it("marks a running job lost only after the agent reports it absent", async () => {
    const node = await enrolledNode("pve-lost");
    const first = await connect(a.url, node.credential);
    const job = (await api.call("POST", `/api/v1/nodes/${node.id}/inventory`)).json;
    await first.next("offer", (f) => f.jobId === job.id);
    first.send({ type: "accept", jobId: job.id });
    await expect
      .poll(async () => (await api.call("GET", `/api/v1/jobs/${job.id}`)).json.status)
      .toBe("running");
    first.close();
    const second = await connect(a.url, node.credential); // its journal was wiped: hello lists nothing
    await second.next("status", (f) => f.jobId === job.id);
    expect((await api.call("GET", `/api/v1/jobs/${job.id}`)).json.status).toBe("running");
    second.send({ type: "absent", jobId: job.id });
    await expect.poll(async () => (await api.call("GET", `/api/v1/jobs/${job.id}`)).json.status).toBe("lost");
    expect((await api.call("GET", `/api/v1/jobs/${job.id}`)).json.error).toMatch(/no record of this job/);
  });

  it("cancels a running job through the agent", async () => {
    const node = await enrolledNode("pve-cancel");
    const agent = await connect(a.url, node.credential);
    const job = (
      await api.call("POST", `/api/v1/nodes/${node.id}/guests/101/power`, { type: "lxc", action: "start" })
    ).json;
    expect(job.params).toEqual({ vmid: 101, type: "lxc", action: "start" });
    await agent.next("offer", (f) => f.jobId === job.id);
    agent.send({ type: "accept", jobId: job.id });
    await expect
      .poll(async () => (await api.call("GET", `/api/v1/jobs/${job.id}`)).json.status)
      .toBe("running");
    const viaB = new Client(b.url, api.bearer);
    expect((await viaB.call("POST", `/api/v1/jobs/${job.id}/cancel`)).json.cancelRequested).toBe(true);
    await agent.next("cancel", (f) => f.jobId === job.id);
    agent.send({
      type: "event",
      jobId: job.id,
      seq: 1,
      at: Date.now(),
      event: { kind: "result", status: "cancelled" },
    });
    await expect
      .poll(async () => (await api.call("GET", `/api/v1/jobs/${job.id}`)).json.status)
      .toBe("cancelled");
    expect((await api.call("POST", `/api/v1/jobs/${job.id}/cancel`)).status).toBe(409);
  });

  it("refuses another node's job and answers invalid frames with a protocol error", async () => {
    const mine = await enrolledNode("pve-mine");
    const other = await enrolledNode("pve-other");
    const agentMine = await connect(a.url, mine.credential);
    const agentOther = await connect(a.url, other.credential);
    const job = (await api.call("POST", `/api/v1/nodes/${mine.id}/inventory`)).json;
    await agentMine.next("offer", (f) => f.jobId === job.id);
    agentOther.send({
      type: "event",
      jobId: job.id,
      seq: 1,
      at: Date.now(),
      event: { kind: "result", status: "failed" },
    });
    expect(await agentOther.next("error")).toMatchObject({ code: "not_allowed" });
    agentOther.sendRaw(JSON.stringify({ v: 1, type: "nonsense" }));
    expect(await agentOther.next("error")).toMatchObject({ code: "invalid_frame" });
    agentOther.sendRaw("not json");
    expect(await agentOther.next("error")).toMatchObject({ code: "invalid_frame" });
    expect((await api.call("GET", `/api/v1/jobs/${job.id}`)).json.status).toBe("offered");
  });
});

describe("credentials and liveness", () => {
  it("disconnects an agent at once when its credential is revoked, from any process", async () => {
    const node = await enrolledNode("pve-revoke");
    const agent = await connect(a.url, node.credential);
    const viaB = new Client(b.url, api.bearer);
    const t0 = Date.now();
    expect((await viaB.call("POST", `/api/v1/nodes/${node.id}/credential/revoke`)).json.status).toBe(
      "revoked",
    );
    expect((await agent.waitClose()).code).toBe(4403);
    // Pushed through the change feed: well before anything else could end the link (nothing
    // else would: the agent keeps answering heartbeats). A bound that holds on a loaded machine.
    expect(Date.now() - t0).toBeLessThan(5000);
    await expect(FakeAgent.connect(a.url, node.credential)).rejects.toThrow(/401/);
  });

  it("rotates the credential of a connected agent", async () => {
    const node = await enrolledNode("pve-rotate");
    const agent = await connect(a.url, node.credential);
    const pending = api.call("POST", `/api/v1/nodes/${node.id}/credential/rotate`);
    const rotate = await agent.next("rotate");
    agent.send({ type: "rotated", credentialId: rotate.credentialId });
    const res = await pending;
    expect(res.status).toBe(200);
    expect(res.json.credentialId).toBe(rotate.credentialId);
    await expect(FakeAgent.connect(a.url, node.credential)).rejects.toThrow(/401/);
    const renewed = await connect(a.url, rotate.credential);
    expect(renewed.closed).toBeNull();
  });

  it("replaces an older connection of the same node and drops a silent (half-open) one", async () => {
    const node = await enrolledNode("pve-live");
    const old = await connect(a.url, node.credential);
    const fresh = await connect(a.url, node.credential);
    expect((await old.waitClose()).code).toBe(4409);
    // heartbeats flow, with metrics stored on the node
    const metrics = {
      cpu: 0.25,
      cpus: 8,
      memTotal: 16e9,
      memUsed: 4e9,
      diskTotal: 1e11,
      diskUsed: 2e10,
      uptime: 1000,
      loadavg: [0.5, 0.4, 0.3],
    };
    fresh.send({ type: "heartbeat", at: Date.now(), metrics });
    await fresh.next("heartbeat");
    // Metrics are written in batches every few seconds.
    await expect
      .poll(async () => (await api.call("GET", `/api/v1/nodes/${node.id}`)).json.metrics?.cpu, {
        timeout: 20_000,
      })
      .toBe(0.25);
    const series = await api.call("GET", `/api/v1/nodes/${node.id}/metrics`);
    expect(series.json.items).toHaveLength(1);
    // Silence: the server closes after about 2.5 heartbeats (400 ms each here).
    expect((await fresh.waitClose(10_000)).code).toBe(1001);
    await expect
      .poll(async () => (await api.call("GET", `/api/v1/nodes/${node.id}`)).json.status)
      .toBe("offline");
  });
});
