// Another real process holds the database's write lock (BEGIN IMMEDIATE). The server must keep
// answering (/healthz stays fast: waiting for the lock no longer blocks its event loop), finish
// the writes issued meanwhile once the lock is free (within PYLON_DATABASE_BUSY_MS, 10 s by
// default), answer 503 with Retry-After past that bound, and keep serving either way: its
// background work (instance heartbeat, dispatch) fails, is logged, and catches up afterwards.
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { FakeAgent } from "./support/fake-agent.ts";
import { type Client, type RunningServer, scratchDir, startServer } from "./support/server.ts";
import { ADMIN, adminClient } from "./support/stack.ts";
import { type HeldLock, holdWriteLock } from "./support/write-lock.ts";

let dir: ReturnType<typeof scratchDir> | undefined;
let server: RunningServer | undefined;
let lock: HeldLock | undefined;
let agent: FakeAgent | undefined;

afterEach(async () => {
  agent?.close();
  await lock?.stop();
  await server?.stop();
  dir?.cleanup();
  agent = lock = server = dir = undefined;
});

async function start(env: Record<string, string> = {}) {
  dir = scratchDir();
  server = await startServer(dir.dir, { ...ADMIN, PYLON_LOG_REQUESTS: "false", ...env });
  const api = await adminClient(server.url);
  // A connected agent, so the hub's background writes run too.
  const created = await api.call("POST", "/api/v1/nodes", { name: "pve-lock" });
  const enrolled = await fetch(`${server.url}/agent/v1/enroll`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({
      token: created.json.enrollment.token,
      agentVersion: "t",
      nodeName: "pve",
      pveVersion: null,
    }),
  });
  const { nodeId, credential } = (await enrolled.json()) as { nodeId: string; credential: string };
  agent = await FakeAgent.connect(server.url, credential);
  agent.hello();
  await agent.next("welcome");
  return { api, nodeId, dbPath: join(dir.dir, "data", "pylon.db") };
}

/** Polls /healthz every 50 ms until `done` resolves; returns each answer's latency. */
async function healthzWhile(url: string, done: Promise<unknown>) {
  const latencies: number[] = [];
  const statuses: number[] = [];
  let finished = false;
  void done.finally(() => {
    finished = true;
  });
  while (!finished) {
    const t0 = performance.now();
    statuses.push(
      await fetch(`${url}/healthz`).then(
        (r) => r.status,
        () => 0,
      ),
    );
    latencies.push(performance.now() - t0);
    await new Promise((r) => setTimeout(r, 50));
  }
  return { latencies, statuses };
}

async function nodeStatus(api: Client, nodeId: string): Promise<string> {
  return (await api.call("GET", `/api/v1/nodes/${nodeId}`)).json.status;
}

describe("a write lock held by another process", () => {
  it("for 7 s: /healthz answers quickly throughout, and the writes issued meanwhile succeed afterwards", async () => {
    const { api, nodeId, dbPath } = await start();
    lock = await holdWriteLock(dbPath, 7000);
    const t0 = performance.now();
    const writes = Promise.all([
      api.call("POST", "/api/v1/nodes", { name: "added-while-locked" }),
      api.call("POST", `/api/v1/nodes/${nodeId}/inventory`),
    ]);
    const health = await healthzWhile(server!.url, lock.released);
    const [node, job] = await writes;
    expect(node.status).toBe(201);
    expect(job.status).toBe(202);
    // They waited for the lock (no error), and the job reached the agent once it was free.
    expect(performance.now() - t0).toBeGreaterThan(6000);
    await agent!.next("offer", (f) => f.jobId === job.json.id, 10_000);
    expect(health.statuses.every((s) => s === 200)).toBe(true);
    expect(health.latencies.length).toBeGreaterThan(20);
    // Before the fix the server froze for the whole busy_timeout (5 s) per waiting write.
    expect(Math.max(...health.latencies)).toBeLessThan(2000);
    expect(await nodeStatus(api, nodeId)).toBe("online");
  }, 60_000);

  it("past PYLON_DATABASE_BUSY_MS: 503 with Retry-After, the process stays up and catches up", async () => {
    const { api, nodeId, dbPath } = await start({ PYLON_DATABASE_BUSY_MS: "500" });
    // Longer than the 5 s between instance heartbeats, so one of them meets the lock.
    lock = await holdWriteLock(dbPath, 6000);
    const refused = await api.call("POST", "/api/v1/nodes", { name: "refused-while-locked" });
    expect(refused.status).toBe(503);
    expect(refused.headers.get("retry-after")).toBe("1");
    expect(refused.json.error).toMatchObject({
      code: "unavailable",
      message: "The database is busy (locked by another process); try again shortly",
    });
    const health = await healthzWhile(server!.url, lock.released);
    expect(health.statuses.every((s) => s === 200)).toBe(true);
    // Background writes failed meanwhile (the instance heartbeat every 5 s) and were logged.
    await expect.poll(() => server!.output(), { timeout: 10_000 }).toMatch(/failed; will try again/);
    expect(server!.output()).not.toMatch(/unhandled promise rejection/);

    // Afterwards: writes work, the node is online, new work is dispatched.
    const job = await api.call("POST", `/api/v1/nodes/${nodeId}/inventory`);
    expect(job.status).toBe(202);
    await agent!.next("offer", (f) => f.jobId === job.json.id, 10_000);
    expect(await nodeStatus(api, nodeId)).toBe("online");
    const listed = (await api.call("GET", "/api/v1/nodes")).json.items.map((n: { name: string }) => n.name);
    expect(listed).not.toContain("refused-while-locked");
  }, 60_000);
});
