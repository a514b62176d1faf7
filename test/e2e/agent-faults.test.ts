// Faults on the agent link, each asserting nothing is lost and nothing runs twice:
// a link cut at random moments, the control plane killed and restarted mid-job, the agent killed
// and restarted mid-job, and the same offer delivered twice.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createClient } from "@libsql/client";
import type { Sim } from "@pylon/pve-sim";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type FlakyProxy, startFlakyProxy } from "./support/flaky-proxy.ts";
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
let cpDir: string;
let proxy: FlakyProxy;
let api: Client;
let agent: AgentProcess;
let agentConfig: string;
let agentState: string;
let nodeId: string;
const dirs: string[] = [];

function dir(): string {
  const d = mkdtempSync(join(tmpdir(), "pylon-faults-"));
  dirs.push(d);
  return d;
}

/** A job once it is final (the API client may be replaced after a restart). */
const finished = (id: string, timeoutMs = 30_000) => jobFinished(api, id, timeoutMs);

async function simControl(method: string, path: string, body: unknown): Promise<void> {
  const res = await fetch(`${sim.controlUrl}${path}`, {
    method,
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
  expect(res.status, await res.text()).toBeLessThan(300);
}

async function power(vmid: number, action: "start" | "stop") {
  const res = await api.call("POST", `/api/v1/nodes/${nodeId}/guests/${vmid}/power`, { type: "lxc", action });
  expect(res.status).toBe(202);
  return res.json.id as string;
}

async function tasksOf(vmid: number, type: string): Promise<number> {
  const list = (await pve(sim, "GET", `/nodes/${sim.node}/tasks`, {
    vmid,
    typefilter: type,
    limit: 1000,
  })) as unknown[];
  return list.length;
}

/** Every stored event of a job, checked to be 1..n with no gap and no repeat. */
async function expectEventsComplete(jobId: string) {
  const items = (await api.call("GET", `/api/v1/jobs/${jobId}/events?limit=1000`)).json.items as {
    seq: number;
    event: { kind: string };
  }[];
  expect(items.map((e) => e.seq)).toEqual(items.map((_, i) => i + 1));
  expect(items.filter((e) => e.event.kind === "result")).toHaveLength(1);
}

async function runningInSim(upidType: string): Promise<boolean> {
  const list = (await pve(sim, "GET", `/nodes/${sim.node}/tasks`, {
    source: "active",
    typefilter: upidType,
  })) as unknown[];
  return list.length > 0;
}

beforeAll(async () => {
  sim = await simulator(0.4); // CT start takes about 0.4-1.2 s: long enough to cut in the middle
  cpDir = dir();
  cp = await controlPlane(cpDir);
  proxy = await startFlakyProxy(cp.port);
  api = await adminClient(cp.url);
  const created = await api.call("POST", "/api/v1/nodes", { name: "pve" });
  nodeId = created.json.node.id;
  const agentDir = dir();
  agentConfig = await enrollAgent(agentDir, proxy.url, created.json.enrollment.token, sim);
  agentState = join(agentDir, "state");
  agent = startAgent(agentConfig, agentState, sim);
  await until(
    async () => (await api.call("GET", `/api/v1/nodes/${nodeId}`)).json.status === "online",
    20_000,
    "agent online",
  );
  await Promise.all([301, 302, 303, 304].map((vmid) => createCt(sim, vmid)));
}, 90_000);

afterAll(async () => {
  await agent?.stop("SIGKILL");
  await proxy?.close();
  await cp?.stop("SIGKILL");
  await sim?.stop();
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});

describe("faults on the link", () => {
  it("loses nothing and runs nothing twice when the link is cut at random moments of each job", async () => {
    // One cut at a random moment of each job: before the offer, during the Proxmox task, or while
    // events and acks are in flight. (The agent backs off exponentially with jitter, so a storm
    // of cuts mostly measures the backoff.)
    const ids: string[] = [];
    for (let i = 0; i < 4; i++) {
      const id = await power(301, i % 2 === 0 ? "start" : "stop");
      ids.push(id);
      await new Promise((r) => setTimeout(r, Math.random() * 800));
      proxy.cut();
      await finished(id, 90_000);
    }
    expect(proxy.cuts).toBeGreaterThan(0);
    const jobs = await Promise.all(ids.map((id) => finished(id)));
    expect(jobs.map((j) => j.status)).toEqual(Array(4).fill("succeeded"));
    for (const id of ids) await expectEventsComplete(id);
    expect(await tasksOf(301, "vzstart")).toBe(2);
    expect(await tasksOf(301, "vzstop")).toBe(2);
  }, 240_000);

  it("finishes a job when the control plane is killed with SIGKILL mid-job and restarted", async () => {
    const id = await power(302, "start");
    await until(() => runningInSim("vzstart"), 10_000, "the start task to run");
    await cp.stop("SIGKILL");
    cp = await controlPlane(cpDir);
    proxy.retarget(cp.port);
    api = await adminClient(cp.url);
    const job = await finished(id, 60_000);
    expect(job.status).toBe("succeeded");
    await expectEventsComplete(id);
    expect(await tasksOf(302, "vzstart")).toBe(1);
  }, 120_000);

  it("does not lose or repeat a job when the agent is killed with SIGKILL mid-job and restarted", async () => {
    const id = await power(303, "start");
    await until(() => runningInSim("vzstart"), 10_000, "the start task to run");
    await agent.stop("SIGKILL");
    agent = startAgent(agentConfig, agentState, sim);
    const job = await finished(id, 60_000);
    // It either resumed (waited for the same Proxmox task) or failed saying why; never silently gone.
    if (job.status === "failed") expect(job.error).toMatch(/restart/i);
    else expect(job.status).toBe("succeeded");
    await expectEventsComplete(id);
    expect(await tasksOf(303, "vzstart")).toBe(1);
  }, 120_000);

  it("runs a job once when its offer is delivered twice", async () => {
    // The start task takes 5 s, so the job is still running when its offer is made again.
    await simControl("POST", "/faults", { taskType: "vzstart", vmid: 304, action: "delay", ms: 5000 });
    const id = await power(304, "start");
    // Waiting on the task: no event comes for 5 s (an event would mark the job running again,
    // as it proves the agent runs it, and no second offer would be made).
    await until(
      async () => {
        const items = (await api.call("GET", `/api/v1/jobs/${id}/events?limit=1000`)).json.items as {
          event: { kind: string; step?: string; status?: string };
        }[];
        return items.some(
          (e) => e.event.kind === "step" && e.event.step === "task" && e.event.status === "started",
        );
      },
      10_000,
      "waiting on the start task",
    );
    // Make the control plane believe the offer was never accepted, so it offers it again.
    const db = createClient({ url: `file:${join(cpDir, "data", "pylon.db")}` });
    await db.execute({ sql: "update jobs set status = 'queued' where id = ?", args: [id] });
    db.close();
    const job = await finished(id, 60_000);
    expect(job.status).toBe("succeeded");
    expect(job.attempts).toBeGreaterThanOrEqual(2);
    await expectEventsComplete(id);
    expect(await tasksOf(304, "vzstart")).toBe(1);
  }, 120_000);
});
