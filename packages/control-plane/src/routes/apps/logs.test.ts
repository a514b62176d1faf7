// POST /apps/{id}/logs: the agent's side is played by writing its frames through the same
// services the hub uses (markAccepted, recordEvent).
import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { apps, jobs } from "../../db/schema/index.ts";
import { recordEvent } from "../../services/agent-events.ts";
import { markAccepted, markOffered } from "../../services/agent-jobs.ts";
import { type Harness, makeHarness } from "../../testing/harness.ts";
import { readEvents } from "../../testing/sse.ts";

let h: Harness;
let op: string;
let viewer: string;
let nodeId: string;
let appId: string;

beforeAll(async () => {
  h = await makeHarness();
  op = await h.token(await h.user("operator"), ["read"]);
  viewer = await h.token(await h.user("viewer"), ["read"]);
  nodeId = await h.node("pve-logs");
  const created = await h.call("POST", "/api/v1/apps", {
    as: await h.token(await h.user("operator"), ["deploy"]),
    body: { name: "chatty", source: { type: "catalog", catalogId: "nginx" }, target: { nodeId } },
  });
  appId = (await created.json()).id;
  await h.db.update(apps).set({ status: "running", vmid: 321 }).where(eq(apps.id, appId));
});
afterAll(() => h.close());

/** The newest app.logs job, once the route has queued it. */
async function logsJob() {
  for (let i = 0; i < 2000; i++) {
    const [row] = await h.db
      .select()
      .from(jobs)
      .where(and(eq(jobs.kind, "app.logs"), eq(jobs.status, "queued")));
    if (row) return row;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error("no app.logs job queued");
}

/** The agent sends one event of a job (next seq). */
async function agentSends(jobId: string, event: object) {
  await markOffered(h.deps, jobId);
  const [job] = await h.db.select().from(jobs).where(eq(jobs.id, jobId));
  await recordEvent(h.deps, nodeId, {
    v: 1,
    type: "event",
    jobId,
    seq: job!.lastSeq + 1,
    at: h.clock.now,
    event: event as never,
  });
}

describe("POST /apps/{id}/logs", () => {
  it("refuses bad input naming the field, an app without a guest, and callers without access", async () => {
    for (const [body, field] of [
      [{ tail: -1 }, "tail"],
      [{ tail: "lots" }, "tail"],
      [{ tail: 10001 }, "tail"],
      [{ follow: "maybe" }, "follow"],
    ] as const) {
      const res = await h.call("POST", `/api/v1/apps/${appId}/logs`, { as: op, body });
      expect(res.status, JSON.stringify(body)).toBe(400);
      const answer = await res.json();
      expect(answer.error.details.fields.map((f: { path: string }) => f.path)).toContain(field);
    }
    expect((await h.call("POST", `/api/v1/apps/${appId}/logs`, { body: {} })).status).toBe(401);
    expect((await h.call("POST", `/api/v1/apps/${appId}/logs`, { as: viewer, body: {} })).status).toBe(403);
    expect(
      (await h.call("POST", "/api/v1/apps/app_nonexistent00000/logs", { as: op, body: {} })).status,
    ).toBe(404);
    await h.db.update(apps).set({ vmid: null }).where(eq(apps.id, appId));
    const noGuest = await h.call("POST", `/api/v1/apps/${appId}/logs`, { as: op, body: {} });
    await h.db.update(apps).set({ vmid: 321 }).where(eq(apps.id, appId));
    expect(noGuest.status).toBe(409);
    expect((await noGuest.json()).error.message).toMatch(/has no guest/);
  });

  it("without follow: queues an app.logs job for the app's guest and answers its lines, with when each was written", async () => {
    const pending = h.call("POST", `/api/v1/apps/${appId}/logs`, { as: op, body: { tail: 2 } });
    const job = await logsJob();
    expect(job.params).toEqual({ appId, vmid: 321, type: "lxc", follow: false, tail: 2 });
    await markAccepted(h.deps, nodeId, job.id);
    await agentSends(job.id, {
      kind: "result",
      status: "succeeded",
      result: {
        lines: [
          "chatty-web-1  | 2026-01-01T09:59:58.123456789Z GET /a",
          "chatty-web-1  | 2026-01-01T09:59:59.000000000Z GET /b",
          "a line from an agent that sends no time",
        ],
      },
    });
    const res = await pending;
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      jobId: job.id,
      lines: [
        { at: "2026-01-01T09:59:58.123Z", text: "chatty-web-1  | GET /a" },
        { at: "2026-01-01T09:59:59.000Z", text: "chatty-web-1  | GET /b" },
        { at: null, text: "a line from an agent that sends no time" },
      ],
    });
  });

  it("says why when the agent could not read the logs", async () => {
    const pending = h.call("POST", `/api/v1/apps/${appId}/logs`, { as: op, body: {} });
    const job = await logsJob();
    await markAccepted(h.deps, nodeId, job.id);
    await agentSends(job.id, {
      kind: "result",
      status: "failed",
      error: { step: "logs", message: "logs failed: container '321' not running!" },
    });
    const res = await pending;
    expect(res.status).toBe(409);
    expect((await res.json()).error.message).toContain("container '321' not running!");
  });

  it("follow: streams the lines as they come and cancels the job when the reader goes away", async () => {
    const res = await h.call("POST", `/api/v1/apps/${appId}/logs`, {
      as: op,
      body: { follow: true, tail: 5 },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^text\/event-stream/);
    const job = await logsJob();
    expect(job.params).toMatchObject({ follow: true, tail: 5 });
    await markAccepted(h.deps, nodeId, job.id);
    await agentSends(job.id, { kind: "step", step: "logs", status: "started" });
    await agentSends(job.id, {
      kind: "log",
      level: "info",
      message: "2026-01-01T09:00:00.000000001Z old line 1\n2026-01-01T09:00:01.5Z old line 2",
    });
    const first = await readEvents(res, (e) => e.filter((x) => x.event === "line").length >= 2);
    expect(first.events[0]).toEqual({ event: "job", data: JSON.stringify({ jobId: job.id }) });
    // Each line carries the time it was written, not the time the stream opened.
    expect(first.events.filter((e) => e.event === "line").map((e) => JSON.parse(e.data))).toEqual([
      { at: "2026-01-01T09:00:00.000Z", text: "old line 1" },
      { at: "2026-01-01T09:00:01.500Z", text: "old line 2" },
    ]);

    await agentSends(job.id, { kind: "log", level: "info", message: "2026-01-01T10:00:00Z a new line\r" });
    await agentSends(job.id, {
      kind: "log",
      level: "warn",
      message: "3 lines dropped (more than 100 lines per second)",
    });
    const reader = first.reader;
    const more: string[] = [];
    const decoder = new TextDecoder();
    while (!more.join("").includes("lines dropped")) {
      const { value } = await reader.read();
      more.push(decoder.decode(value));
    }
    expect(more.join("")).toContain(
      `event: line\ndata: ${JSON.stringify({ at: "2026-01-01T10:00:00.000Z", text: "a new line" })}\n\n`,
    );
    expect(more.join("")).toContain("event: notice\ndata: 3 lines dropped");

    // The reader closes the connection: the job is asked to stop (the agent then kills the command).
    await reader.cancel();
    for (let i = 0; i < 1000; i++) {
      const [row] = await h.db.select().from(jobs).where(eq(jobs.id, job.id));
      if (row?.cancelRequested) break;
      await new Promise((r) => setTimeout(r, 10));
    }
    const [after] = await h.db.select().from(jobs).where(eq(jobs.id, job.id));
    expect(after).toMatchObject({ status: "running", cancelRequested: true });
  });

  it("follow: a queued job is cancelled at once when the reader leaves before the agent took it", async () => {
    const res = await h.call("POST", `/api/v1/apps/${appId}/logs`, { as: op, body: { follow: true } });
    const job = await logsJob();
    const { reader } = await readEvents(res, (e) => e.length >= 1);
    await reader.cancel();
    for (let i = 0; i < 1000; i++) {
      const [row] = await h.db.select().from(jobs).where(eq(jobs.id, job.id));
      if (row?.status === "cancelled") break;
      await new Promise((r) => setTimeout(r, 10));
    }
    const [after] = await h.db.select().from(jobs).where(eq(jobs.id, job.id));
    expect(after?.status).toBe("cancelled");
  });

  it("follow: ends with an `end` event when the stream stops by itself", async () => {
    const res = await h.call("POST", `/api/v1/apps/${appId}/logs`, { as: op, body: { follow: true } });
    const job = await logsJob();
    await markAccepted(h.deps, nodeId, job.id);
    await agentSends(job.id, { kind: "log", level: "info", message: "last words" });
    await agentSends(job.id, { kind: "result", status: "succeeded", result: { lines: [], ended: "exited" } });
    const { events } = await readEvents(res, (e) => e.some((x) => x.event === "end"));
    expect(events.map((e) => e.event)).toEqual(["job", "line", "end"]);
    expect(JSON.parse(events[2]!.data)).toMatchObject({ status: "succeeded", result: { ended: "exited" } });
  });
});
