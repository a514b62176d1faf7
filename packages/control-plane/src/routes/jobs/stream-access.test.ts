// Open live views end when their caller may no longer have them (issue 10): a real SSE stream
// from the app, read as a browser would, while the session or user changes underneath it.
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { users } from "../../db/schema/index.ts";
import { recordEvent } from "../../services/agent-events.ts";
import { markAccepted, markOffered } from "../../services/agent-jobs.ts";
import { createJob, type JobOrigin } from "../../services/jobs.ts";
import { type Browser, type Harness, makeHarness } from "../../testing/harness.ts";
import { readEvents } from "../../testing/sse.ts";

let h: Harness;
let admin: string;
let nodeId: string;
beforeAll(async () => {
  // Keepalives (and the expiry check that goes with them) every 100 ms instead of 15 s.
  h = await makeHarness({ streamKeepaliveMs: 100 });
  admin = await h.token(await h.user("admin"), ["admin"]);
  nodeId = await h.node();
});
afterAll(() => h.close());

const everyone: JobOrigin = { requestedBy: null, outputAccess: null };

async function runningJob(origin = everyone) {
  const job = await createJob(h.deps, { nodeId, kind: "node.inventory", params: {}, origin });
  await markOffered(h.deps, job.id);
  await markAccepted(h.deps, nodeId, job.id);
  return job.id;
}

async function sends(jobId: string, seq: number, event: object) {
  await recordEvent(h.deps, nodeId, {
    v: 1,
    type: "event",
    jobId,
    seq,
    at: h.clock.now,
    event: event as never,
  });
}

/** Opens the job's stream as `as` and waits for its first `job` event. */
async function open(jobId: string, as: Browser | string) {
  const res = await h.call("GET", `/api/v1/jobs/${jobId}/stream`, { as });
  expect(res.status).toBe(200);
  const first = await readEvents(res, (e) => e.some((x) => x.event === "job"));
  return first.reader;
}

/** Reads on until the server closes the stream (or fails the test after `ms`). */
async function closing(reader: ReadableStreamDefaultReader<Uint8Array>, ms = 8000) {
  const timer = setTimeout(() => void reader.cancel(), ms);
  try {
    const rest = await readEvents(new Response(), () => false, reader);
    expect(rest.ended).toBe(true);
    return rest.events;
  } finally {
    clearTimeout(timer);
  }
}

function refusal(events: { event: string; data: string }[]) {
  const last = events.at(-1);
  expect(last?.event).toBe("error");
  return JSON.parse(last!.data).error as { code: string; message: string };
}

describe("an open job stream", () => {
  it("ends when its session signs out, and not when someone else's does", async () => {
    const u = await h.user("viewer");
    const mine = await h.signIn(u.email);
    const other = await h.signIn((await h.user("viewer")).email);
    const jobId = await runningJob();
    const reader = await open(jobId, mine);
    const bystander = await open(jobId, other);
    expect((await h.call("POST", "/api/v1/auth/logout", { as: mine })).status).toBe(204);
    expect(refusal(await closing(reader))).toMatchObject({
      code: "unauthenticated",
      message: /session has ended/,
    });
    // The other reader still gets the job's events, then its end.
    await sends(jobId, 1, { kind: "log", level: "info", message: "still here" });
    await sends(jobId, 2, { kind: "result", status: "succeeded", result: {} });
    const rest = await closing(bystander);
    // Both events reach it (the job's status frame may come between them or after) and it ends
    // normally, never with an error.
    const kinds = rest.map((e) => e.event);
    expect(kinds.filter((k) => k === "event")).toHaveLength(2);
    expect(kinds).not.toContain("error");
    expect(kinds.at(-1)).toBe("end");
  }, 30_000);

  it("ends when its session expires while open", async () => {
    const b = await h.signIn((await h.user("viewer")).email);
    const reader = await open(await runningJob(), b);
    h.clock.now += 12 * 3600_000 + 1; // idle timeout
    expect(refusal(await closing(reader)).code).toBe("unauthenticated");
  }, 30_000);

  it("ends when its user is disabled, deleted, or demoted below the access the stream needs", async () => {
    for (const change of [
      { method: "PATCH", body: { disabled: true }, code: "unauthenticated" },
      { method: "DELETE", body: undefined, code: "unauthenticated" },
      { method: "PATCH", body: { role: "viewer" }, code: "forbidden" },
    ]) {
      const u = await h.user("operator");
      const b = await h.signIn(u.email);
      // Output private to operators (as a log view's is).
      const jobId = await runningJob({
        requestedBy: null,
        outputAccess: { role: "operator", scope: "read" },
      });
      const reader = await open(jobId, b);
      const res = await h.call(change.method, `/api/v1/users/${u.id}`, { as: admin, body: change.body });
      expect(res.status).toBeLessThan(300);
      expect(refusal(await closing(reader)).code, JSON.stringify(change.body)).toBe(change.code);
    }
  }, 30_000);

  it("ends when its API token is revoked, and not on a change that leaves it allowed", async () => {
    const u = await h.user("operator");
    const token = await h.token(u, ["read"]);
    const jobId = await runningJob({ requestedBy: null, outputAccess: { role: "operator", scope: "read" } });
    const tokenId = (await (await h.call("GET", "/api/v1/auth/me", { as: token })).json()).token.id;
    const reader = await open(jobId, token);
    expect((await h.call("DELETE", `/api/v1/tokens/${tokenId}`, { as: admin })).status).toBe(204);
    expect(refusal(await closing(reader)).code).toBe("unauthenticated");

    // A demotion that leaves the stream allowed does not end it (viewer streams are for viewers).
    const v = await h.user("operator");
    const open2 = await open(await runningJob(), await h.signIn(v.email));
    await h.db.update(users).set({ role: "viewer" }).where(eq(users.id, v.id));
    await h.deps.bus.publish({ topic: "auth.changed", nodeId: null, jobId: null });
    const kept = await Promise.race([
      readEvents(new Response(), () => false, open2).then(() => "ended"),
      new Promise((r) => setTimeout(() => r("open"), 500)),
    ]);
    expect(kept).toBe("open");
    await open2.cancel();
  }, 30_000);
});
