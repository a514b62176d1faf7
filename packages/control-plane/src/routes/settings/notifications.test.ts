// Failure notifications against a real local HTTP receiver: the body ntfy, Discord and Slack
// take, retries, a timeout, the URL never shown, failed jobs announced without waiting.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { jobs, scheduleRuns } from "../../db/schema/index.ts";
import { announceJob } from "../../services/job-notices.ts";
import { DELIVERY, notify } from "../../services/notifications.ts";
import { type Harness, makeHarness } from "../../testing/harness.ts";

let h: Harness;
let admin: string;
let server: Server;
let base: string;
const received: { path: string; body: Record<string, unknown> }[] = [];
/** How the receiver answers the next requests (then 200). */
let answers: (number | "hang")[] = [];

beforeAll(async () => {
  h = await makeHarness();
  admin = await h.token(await h.user("admin"), ["admin"]);
  server = createServer((req: IncomingMessage, res: ServerResponse) => {
    let data = "";
    req.on("data", (d) => (data += d));
    req.on("end", () => {
      received.push({ path: req.url ?? "", body: JSON.parse(data) });
      const a = answers.shift() ?? 200;
      if (a === "hang") return;
      res.writeHead(a).end();
    });
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  Object.assign(DELIVERY, { timeoutMs: 300, pauseMs: 20 });
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
  h?.close();
});

const secretUrl = () => `${base}/hook/tok-SECRET-123`;
const until = async (fn: () => boolean) => {
  for (let i = 0; i < 200 && !fn(); i++) await new Promise((r) => setTimeout(r, 25));
};

describe("notification webhook", () => {
  it("stores the URL without ever showing it, and refuses what is not an http URL", async () => {
    const bad = await h.call("PUT", "/api/v1/settings/notifications", {
      as: admin,
      body: { webhookUrl: "ftp://x/y" },
    });
    expect(bad.status).toBe(400);
    expect((await bad.json()).error.message).toMatch(/webhookUrl must be an http or https URL/);
    const res = await h.call("PUT", "/api/v1/settings/notifications", {
      as: admin,
      body: { webhookUrl: secretUrl() },
    });
    expect(res.status).toBe(200);
    const text = JSON.stringify(await res.json());
    expect(text).not.toContain("SECRET");
    expect(JSON.parse(text)).toEqual({ webhook: { origin: base } });
    const got = await (await h.call("GET", "/api/v1/settings/notifications", { as: admin })).text();
    expect(got).not.toContain("SECRET");
  });

  it("sends a test notice with the fields ntfy, Discord and Slack read; retries a failing receiver", async () => {
    received.length = 0;
    answers = [503, 500];
    const res = await h.call("POST", "/api/v1/settings/notifications/test", { as: admin });
    expect(await res.json()).toEqual({ delivered: true, detail: `${base} answered 200` });
    expect(received).toHaveLength(3);
    expect(received[2]?.path).toBe("/hook/tok-SECRET-123");
    expect(received[2]?.body).toMatchObject({
      event: "test",
      title: "Pylon test notification",
      text: expect.stringContaining("Pylon test notification"),
      content: expect.stringContaining("Pylon test notification"),
      app: null,
      node: null,
      at: "2026-01-01T00:00:00.000Z",
    });
  });

  it("gives up on a receiver that does not answer, saying so without the URL", async () => {
    answers = ["hang", "hang", "hang"];
    const res = await (await h.call("POST", "/api/v1/settings/notifications/test", { as: admin })).json();
    expect(res.delivered).toBe(false);
    expect(res.detail).toBe(`${base} did not answer within 300 ms`);
    answers = [400];
    const four = await (await h.call("POST", "/api/v1/settings/notifications/test", { as: admin })).json();
    expect(four).toEqual({ delivered: false, detail: `${base} answered 400` });
  });

  it("announces a failed backup and a drill that did not pass, without waiting for the receiver", async () => {
    const nodeId = await h.node("pve-n");
    const appId = await h.appOn(nodeId, 130, "shop");
    const job = (
      id: string,
      kind: "app.backup" | "app.drill",
      status: "failed" | "succeeded",
      result: unknown,
    ) => ({
      id,
      nodeId,
      kind,
      params: {},
      appId,
      status,
      attempts: 1,
      createdAt: 0,
      updatedAt: 0,
      result,
      error: status === "failed" ? "vzdump: storage full" : null,
    });
    await h.db.insert(jobs).values([
      job("job_b1", "app.backup", "failed", null),
      job("job_d1", "app.drill", "succeeded", {
        volid: "local:backup/x",
        passed: false,
        detail: "health check answered 502",
        vmid: 900,
        durationMs: 1,
        cleaned: true,
      }),
      job("job_ok", "app.backup", "succeeded", null),
    ]);
    received.length = 0;
    answers = ["hang"];
    const started = performance.now();
    await announceJob(h.deps, "job_b1");
    await announceJob(h.deps, "job_ok");
    // The hung receiver is not waited for.
    expect(performance.now() - started).toBeLessThan(DELIVERY.timeoutMs);
    await announceJob(h.deps, "job_d1");
    await until(() => received.length >= 3);
    const events = received.map((r) => [r.body.event, r.body.app, r.body.node, r.body.text]);
    expect(events).toContainEqual([
      "backup.failed",
      "shop",
      "pve-n",
      "Backup of shop failed: vzdump: storage full",
    ]);
    expect(events).toContainEqual([
      "drill.failed",
      "shop",
      "pve-n",
      "Restore drill of shop failed: health check answered 502",
    ]);
    expect(events.filter((e) => e[0] === "backup.failed")).toHaveLength(2);
  });

  it("announces a missed scheduled run as missed", async () => {
    const nodeId = await h.node("pve-m");
    const appId = await h.appOn(nodeId, 140, "nightly");
    await h.db.insert(jobs).values({
      id: "run_schmz1",
      nodeId,
      kind: "app.backup",
      params: {},
      appId,
      status: "failed",
      attempts: 1,
      createdAt: 0,
      updatedAt: 0,
      error: "the agent was not running at the scheduled time",
    });
    await h.db.insert(scheduleRuns).values({
      id: "run_schmz1",
      scheduleId: "sch_m",
      appId,
      nodeId,
      kind: "backup",
      scheduledAt: 0,
      status: "missed",
      jobId: null,
      error: null,
      createdAt: 0,
      finishedAt: 0,
    });
    received.length = 0;
    answers = [];
    await announceJob(h.deps, "run_schmz1");
    await until(() => received.length >= 1);
    expect(received[0]?.body).toMatchObject({
      event: "schedule.missed",
      app: "nightly",
      title: "Scheduled backup of nightly missed",
    });
  });

  it("notify() returns at once and never throws", () => {
    answers = ["hang"];
    const t = performance.now();
    notify(h.deps, { event: "node.offline", title: "Node x is offline", text: "gone" });
    expect(performance.now() - t).toBeLessThan(50);
  });
});
