import { createHmac } from "node:crypto";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { jobs } from "../../db/schema/index.ts";
import { recordEvent } from "../../services/agent-events.ts";
import { markOffered } from "../../services/agent-jobs.ts";
import { countDeliveries, REPLAY_WINDOW_MS } from "../../services/webhook-deliveries.ts";
import { type Harness, makeHarness } from "../../testing/harness.ts";

let h: Harness;
let op: string;
let nodeId: string;
const GiB = 1024 ** 3;

beforeAll(async () => {
  h = await makeHarness();
  op = await h.token(await h.user("operator"), ["write"]);
  const storage = (name: string, content: string[]) => ({
    storage: name,
    type: "dir",
    content,
    total: 100 * GiB,
    used: 0,
    avail: 100 * GiB,
    active: true,
  });
  nodeId = await h.node("pve1", {
    inventory: {
      pveVersion: "8.4.5",
      node: { cpu: 0.1, cpus: 8, memTotal: 32 * GiB, memUsed: 8 * GiB, uptime: 1 },
      guests: [],
      storages: [storage("local", ["vztmpl"]), storage("local-lvm", ["rootdir", "images"])],
      templates: [],
    },
  });
});
afterAll(() => h.close());

async function jobOf(id: string) {
  const [row] = await h.db.select().from(jobs).where(eq(jobs.id, id));
  return row!;
}

async function finish(jobId: string, event: object) {
  await markOffered(h.deps, jobId);
  const job = await jobOf(jobId);
  await recordEvent(h.deps, job.nodeId, {
    v: 1,
    type: "event",
    jobId,
    seq: job.lastSeq + 1,
    at: h.clock.now,
    event: event as never,
  });
}

const jobCount = async () => (await h.db.select({ id: jobs.id }).from(jobs)).length;

/** A Git app, deployed, and a sender of signed deliveries to its webhook. */
async function gitApp(name: string, vmid: number) {
  const created = await (
    await h.call("POST", "/api/v1/apps", {
      as: op,
      body: {
        name,
        source: { type: "git", url: `https://example.com/me/${name}.git`, ref: "main" },
        target: { nodeId },
      },
    })
  ).json();
  await finish(created.lastJobId, {
    kind: "result",
    status: "succeeded",
    result: { vmid, address: "127.77.0.50", commit: "abc", snapshot: null },
  });
  const info = await (await h.call("GET", `/api/v1/apps/${created.id}/webhook`, { as: op })).json();
  expect(info.url).toMatch(new RegExp(`/api/v1/apps/${created.id}/webhook$`));
  const send = (
    body: object,
    opts: { secret?: string; event?: string; delivery?: string; headers?: Record<string, string> } = {},
  ) => {
    const raw = JSON.stringify(body);
    const sig = `sha256=${createHmac("sha256", opts.secret ?? info.secret)
      .update(raw)
      .digest("hex")}`;
    return h.call("POST", `/api/v1/apps/${created.id}/webhook`, {
      body: raw,
      headers: {
        "x-hub-signature-256": sig,
        "x-github-event": opts.event ?? "push",
        "content-type": "application/json",
        ...(opts.delivery ? { "x-github-delivery": opts.delivery } : {}),
        ...opts.headers,
      },
    });
  };
  /** As GitLab sends it: the secret itself in X-Gitlab-Token, the event as `Push Hook`. */
  const sendGitlab = (body: object, headers: Record<string, string> = {}) =>
    h.call("POST", `/api/v1/apps/${created.id}/webhook`, {
      body: JSON.stringify(body),
      headers: {
        "x-gitlab-token": info.secret,
        "x-gitlab-event": "Push Hook",
        "content-type": "application/json",
        ...headers,
      },
    });
  return { id: created.id as string, send, sendGitlab };
}

/** A push payload as GitHub signs it (`repository.pushed_at` in Unix seconds). */
const push = (after: string, at = h.clock.now) => ({
  ref: "refs/heads/main",
  after,
  repository: { full_name: "me/site", pushed_at: Math.floor(at / 1000) },
});

describe("push-to-deploy webhook", () => {
  it("redeploys on a signed push to the tracked branch and ignores the rest", async () => {
    const app = await gitApp("site", 150);
    expect((await app.send(push("a1"), { secret: "wrong-secret" })).status).toBe(401);
    expect((await app.send({ zen: "hi" }, { event: "ping" })).status).toBe(200);
    const other = await app.send({ ref: "refs/heads/dev" });
    expect(other.status).toBe(200);
    expect((await other.json()).ignored).toMatch(/tracking main/);
    const pushed = await app.send(push("a2"), { delivery: "d-1" });
    expect(pushed.status).toBe(202);
    const { jobId } = await pushed.json();
    expect((await jobOf(jobId)).params).toMatchObject({ mode: "redeploy", vmid: 150 });
  });

  it("accepts a delivery once: the same delivery id, or the same signed body under any id, is refused", async () => {
    const app = await gitApp("once", 151);
    const first = await app.send(push("b1"), { delivery: "d-2" });
    expect(first.status).toBe(202);
    await finish((await first.json()).jobId, { kind: "result", status: "succeeded", result: { vmid: 151 } });
    const jobs = await jobCount();

    const again = await app.send(push("b1"), { delivery: "d-2" });
    expect(again.status).toBe(409);
    expect((await again.json()).error).toMatchObject({
      code: "conflict",
      message: expect.stringMatching(/already received.*d-2/),
    });
    // The header is not signed: a captured body resent with a fresh delivery id, or none.
    expect((await app.send(push("b1"), { delivery: "d-fresh" })).status).toBe(409);
    expect((await app.send(push("b1"))).status).toBe(409);
    // Gitea's own header is remembered too.
    expect((await app.send(push("b2"), { headers: { "x-gitea-delivery": "g-1" } })).status).toBe(202);
    expect(await jobCount()).toBe(jobs + 1);
  });

  it("refuses a push signed longer ago than the replay window, and forgets deliveries after it", async () => {
    const app = await gitApp("stale", 152);
    const old = await app.send(push("c1", h.clock.now - REPLAY_WINDOW_MS - 60_000), { delivery: "d-old" });
    expect(old.status).toBe(400);
    expect((await old.json()).error.message).toMatch(/older than the 7-day replay window/);

    const before = await countDeliveries(h.deps);
    expect(before).toBeGreaterThan(0);
    h.clock.now += REPLAY_WINDOW_MS + 1;
    // The next delivery deletes the expired ones of every app: storage stays bounded.
    expect((await app.send({ zen: "hi" }, { event: "ping", delivery: "d-ping" })).status).toBe(200);
    expect(await countDeliveries(h.deps)).toBe(1);
    // A replay of an old push after its id was forgotten is still refused, by its signed time.
    expect((await app.send(push("b1", h.clock.now - REPLAY_WINDOW_MS - 1))).status).toBe(400);
  });

  it("forgets a delivery whose redeploy could not be queued, so the Git host's redelivery is taken", async () => {
    const app = await gitApp("busy", 153);
    const first = await app.send(push("e1"), { delivery: "d-busy-1" });
    expect(first.status).toBe(202);
    // The redeploy still runs: the next push cannot queue another one.
    const busy = await app.send(push("e2"), { delivery: "d-busy-2" });
    expect(busy.status).toBe(409);
    expect((await busy.json()).error.message).not.toMatch(/already received/);
    await finish((await first.json()).jobId, { kind: "result", status: "succeeded", result: { vmid: 153 } });
    expect((await app.send(push("e2"), { delivery: "d-busy-2" })).status).toBe(202);
  });

  it("takes GitLab's pushes by its secret token, each delivery once", async () => {
    const app = await gitApp("lab", 154);
    const gitlabPush = {
      object_kind: "push",
      ref: "refs/heads/main",
      checkout_sha: "f1",
      project: { id: 1 },
    };
    const wrong = await app.sendGitlab(gitlabPush, { "x-gitlab-token": "not-the-secret" });
    expect(wrong.status).toBe(401);
    expect((await wrong.json()).error.message).toBe("Wrong X-Gitlab-Token");
    const tag = await app.sendGitlab(
      { ...gitlabPush, ref: "refs/tags/v1" },
      { "x-gitlab-event": "Tag Push Hook" },
    );
    expect((await tag.json()).ignored).toBe("event 'Tag Push Hook'");
    const pushed = await app.sendGitlab(gitlabPush, { "idempotency-key": "k-1" });
    expect(pushed.status).toBe(202);
    const { jobId } = await pushed.json();
    expect((await jobOf(jobId)).params).toMatchObject({ mode: "redeploy", vmid: 154 });
    await finish(jobId, { kind: "result", status: "succeeded", result: { vmid: 154 } });
    // GitLab's retry of the same event keeps its Idempotency-Key; the same body is a replay too.
    expect(
      (await app.sendGitlab({ ...gitlabPush, checkout_sha: "f2" }, { "idempotency-key": "k-1" })).status,
    ).toBe(409);
    expect((await app.sendGitlab(gitlabPush)).status).toBe(409);
  });
});
