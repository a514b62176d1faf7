import { readFile, stat } from "node:fs/promises";
import { join } from "node:path";
import type { Sim } from "@pylon/pve-sim";
import type { AgentFrame } from "@pylon/shared/protocol/index";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { startTestAgent, type TestAgent } from "../testing/agent.ts";
import { FakeControlPlane } from "../testing/control-plane.ts";
import { addFault, clientFor, createCt, startTestSim } from "../testing/sim.ts";
import { connectUrl } from "./socket.ts";

let sim: Sim;
let cp: FakeControlPlane | undefined;
let t: TestAgent | undefined;

beforeAll(async () => {
  sim = await startTestSim();
  await createCt(sim, 101);
}, 60_000);
afterAll(() => sim?.stop());
afterEach(async () => {
  await t?.cleanup();
  await cp?.stop();
  t = undefined;
  cp = undefined;
});

type Ev = Extract<AgentFrame, { type: "event" }>;
const events = (frames: AgentFrame[], jobId: string) =>
  frames.filter((f): f is Ev => f.type === "event" && f.jobId === jobId);
const offer = (jobId: string, kind: "node.inventory" | "guest.power", params: unknown = {}) =>
  ({ type: "offer", jobId, kind, params, attempt: 1 }) as const;

describe("connectUrl", () => {
  it("maps http(s) to ws(s) and keeps a base path", () => {
    expect(connectUrl("https://cp.example")).toBe("wss://cp.example/agent/v1/connect");
    expect(connectUrl("http://127.0.0.1:8080/pylon/")).toBe("ws://127.0.0.1:8080/pylon/agent/v1/connect");
  });
});

describe("the agent's link to the control plane", () => {
  it("sends hello with its bearer credential, heartbeats with metrics, and runs an offer", async () => {
    cp = await new FakeControlPlane().start();
    t = await startTestAgent(sim, cp.url);
    const conn = await cp.connected();
    expect(conn.authorization).toBe("Bearer cred-1");
    expect(conn.frames[0]).toMatchObject({
      type: "hello",
      nodeName: sim.node,
      pveVersion: "8.4.5",
      capabilities: expect.arrayContaining(["node.inventory", "guest.power"]),
      jobs: [],
    });
    const hb = await cp.waitFor(
      () => conn.frames.find((f) => f.type === "heartbeat" && f.metrics),
      5000,
      "metrics",
    );
    expect(hb).toMatchObject({
      metrics: { cpus: 16, memTotal: expect.any(Number), diskTotal: expect.any(Number) },
    });
    // The node's guests ride along, from the same sample (one /cluster/resources call).
    const withGuests = await cp.waitFor(
      () => conn.frames.find((f) => f.type === "heartbeat" && f.guests),
      5000,
      "guests",
    );
    expect(withGuests.type === "heartbeat" && withGuests.guests).toEqual([
      expect.objectContaining({
        vmid: 101,
        // What the node's guest list shows, so the control plane keeps it current.
        type: "lxc",
        name: expect.any(String),
        lock: null,
        status: expect.any(String),
        maxmem: expect.any(Number),
        maxdisk: expect.any(Number),
        netin: expect.any(Number),
      }),
    ]);
    conn.send(offer("j1", "node.inventory"));
    conn.send(offer("j1", "node.inventory"));
    await cp.waitFor(
      () => events(conn.frames, "j1").find((e) => e.event.kind === "result"),
      undefined,
      "result",
    );
    expect(conn.frames.filter((f) => f.type === "accept")).toHaveLength(2);
    // Acked events leave the outbox.
    await cp.waitFor(
      () => (t?.agent.journal.get("j1")?.outbox.length ?? 0) === 0 || undefined,
      undefined,
      "acks",
    );
  });

  it("reports the node's guests at once after a job that changed them, not at the next heartbeat", async () => {
    // Heartbeats 20 s apart: none is due in the seconds after the job.
    cp = await new FakeControlPlane({ heartbeatMs: 20_000 }).start();
    t = await startTestAgent(sim, cp.url);
    const conn = await cp.connected();
    const was = (await clientFor(sim).guestStatus(sim.node, "lxc", 101)).status;
    const status101 = (f: AgentFrame) =>
      f.type === "heartbeat" ? f.guests?.find((g) => g.vmid === 101)?.status : undefined;
    conn.send(
      offer("pw", "guest.power", { vmid: 101, type: "lxc", action: was === "running" ? "stop" : "start" }),
    );
    await cp.waitFor(
      () => events(conn.frames, "pw").find((e) => e.event.kind === "result"),
      10_000,
      "result",
    );
    const done = Date.now();
    const now = was === "running" ? "stopped" : "running";
    await cp.waitFor(
      () => conn.frames.find((f) => status101(f) === now),
      8000,
      "a heartbeat with the guest's new status",
    );
    // Long before the next periodic heartbeat (its first came at connect, the next 20 s on).
    expect(Date.now() - done).toBeLessThan(8000);
    // The guest as it was, for the tests after this one.
    conn.send(
      offer("pw2", "guest.power", { vmid: 101, type: "lxc", action: was === "running" ? "start" : "stop" }),
    );
    await cp.waitFor(() => events(conn.frames, "pw2").find((e) => e.event.kind === "result"), 10_000, "undo");
  }, 30_000);

  it("answers an invalid frame with an error frame and logs it once", async () => {
    cp = await new FakeControlPlane().start();
    t = await startTestAgent(sim, cp.url);
    const conn = await cp.connected();
    for (let i = 0; i < 3; i++) conn.ws.send(JSON.stringify({ v: 1, type: "offer", jobId: "x" }));
    conn.ws.send("not json");
    await cp.waitFor(
      () => conn.frames.filter((f) => f.type === "error").length === 4 || undefined,
      2000,
      "errors",
    );
    expect(conn.frames.filter((f) => f.type === "error")[0]).toMatchObject({ code: "invalid_frame" });
    expect(t.logs.filter((l) => l.includes("invalid frame from the control plane"))).toHaveLength(2);
  });

  it("loses nothing across a cut: hello lists the job, unacked events are resent, the job ran once", async () => {
    cp = await new FakeControlPlane({ autoAck: false }).start();
    t = await startTestAgent(sim, cp.url);
    const first = await cp.connected();
    await addFault(sim, { taskType: "vzstart", action: "hang", times: 1 });
    first.send(offer("p1", "guest.power", { vmid: 101, type: "lxc", action: "start" }));
    await cp.waitFor(
      () =>
        events(first.frames, "p1").some((e) => e.event.kind === "step" && e.event.step === "task") ||
        undefined,
    );
    first.send({ type: "ack", jobId: "p1", seq: 1 });
    first.ws.terminate();
    const second = await cp.connected(2);
    const hello = await cp.waitFor(() => second.frames.find((f) => f.type === "hello"));
    expect(hello).toMatchObject({ jobs: [{ jobId: "p1", state: "running" }] });
    // Everything after seq 1 comes again.
    await cp.waitFor(() => events(second.frames, "p1").length >= 2 || undefined, undefined, "resend");
    expect(events(second.frames, "p1")[0]?.seq).toBe(2);
    // A re-offer after the cut does not start the guest twice.
    second.send(offer("p1", "guest.power", { vmid: 101, type: "lxc", action: "start" }));
    await cp.waitFor(() => second.frames.some((f) => f.type === "accept") || undefined);
    expect(t.agent.runner.runningCount).toBe(1);
  });

  it("declares a silent server half-open and reconnects", async () => {
    cp = await new FakeControlPlane({ heartbeatMs: 1000 }).start();
    t = await startTestAgent(sim, cp.url);
    const first = await cp.connected();
    cp.opts.responsive = false; // the server's process hangs; TCP stays up
    const t0 = Date.now();
    await cp.waitFor(() => cp?.conns.length === 2 || undefined, 15_000, "reconnect");
    // After 2.5 heartbeats of silence (2.5 s), not at once; the upper bound holds on a loaded
    // machine and still tells heartbeat detection from none (the link would stay up for ever).
    const took = Date.now() - t0;
    expect(took).toBeGreaterThan(1500);
    expect(took).toBeLessThan(12_000);
    expect(first.ws.readyState).not.toBe(first.ws.OPEN);
    expect(t.logs.some((l) => l.includes("half-open"))).toBe(true);
  }, 30_000);

  it("backs off to the maximum after 4403 revocation and does not spin on 401", async () => {
    cp = await new FakeControlPlane().start();
    t = await startTestAgent(sim, cp.url, { backoff: { baseMs: 20, maxMs: 1500 } });
    const conn = await cp.connected();
    cp.opts.credentials.clear();
    const t0 = Date.now();
    conn.ws.close(4403, "credential revoked");
    await cp.waitFor(() => cp?.refused.length || undefined, undefined, "retry");
    expect(Date.now() - t0).toBeGreaterThanOrEqual(1400);
    expect(t.logs.some((l) => l.includes("revoked"))).toBe(true);
    // Refused with 401 over and over: delays grow (base 20 ms, cap 1.5 s), no tight loop.
    await new Promise((r) => setTimeout(r, 1500));
    expect(cp.refused.length).toBeLessThan(10);
    expect(t.logs.some((l) => l.includes("refused the agent credential (401)"))).toBe(true);
  }, 30_000);

  it("rotates the credential atomically (0600) and uses it for the next connection", async () => {
    cp = await new FakeControlPlane().start();
    t = await startTestAgent(sim, cp.url);
    const conn = await cp.connected();
    cp.opts.credentials.add("cred-2");
    conn.send({ type: "rotate", credentialId: "c2", credential: "cred-2" });
    await cp.waitFor(() => conn.frames.find((f) => f.type === "rotated"), undefined, "rotated");
    const file = join(t.dir, "credential.json");
    expect(JSON.parse(await readFile(file, "utf8"))).toEqual({
      nodeId: "node_1",
      credentialId: "c2",
      credential: "cred-2",
    });
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect(t.logs.join("")).not.toContain("cred-2");
    cp.opts.credentials.delete("cred-1");
    conn.ws.terminate();
    const next = await cp.connected(2);
    expect(next.authorization).toBe("Bearer cred-2");
  });

  it("stops gracefully: running jobs finish, then the socket closes with 1000", async () => {
    cp = await new FakeControlPlane().start();
    t = await startTestAgent(sim, cp.url);
    const conn = await cp.connected();
    conn.send(offer("s1", "node.inventory"));
    await cp.waitFor(() => conn.frames.some((f) => f.type === "accept") || undefined);
    const closed = new Promise<number>((r) => conn.ws.on("close", (code) => r(code)));
    await t.agent.stop();
    expect(await closed).toBe(1000);
    expect(events(conn.frames, "s1").some((e) => e.event.kind === "result")).toBe(true);
  });
});
