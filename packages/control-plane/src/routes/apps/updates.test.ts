// Catalog app updates through the API: the check, the update job and what its end means for the app.
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type AppSource, apps, jobs } from "../../db/schema/index.ts";
import { recordEvent } from "../../services/agent-events.ts";
import { markOffered } from "../../services/agent-jobs.ts";
import { type Harness, makeHarness } from "../../testing/harness.ts";

let h: Harness;
let op: string;
let viewer: string;
let nodeId: string;
const GiB = 1024 ** 3;

beforeAll(async () => {
  h = await makeHarness();
  op = await h.token(await h.user("operator"), ["deploy"]);
  viewer = await h.token(await h.user("viewer"), ["read"]);
  nodeId = await h.node("pve1", {
    inventory: {
      pveVersion: "8.4.5",
      node: { cpu: 0.1, cpus: 8, memTotal: 32 * GiB, memUsed: 8 * GiB, uptime: 1 },
      guests: [],
      storages: [
        {
          storage: "local-lvm",
          type: "lvmthin",
          content: ["rootdir", "images"],
          total: 200 * GiB,
          used: 0,
          avail: 50 * GiB,
          active: true,
        },
      ],
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

const get = async (id: string) => (await h.call("GET", `/api/v1/apps/${id}`, { as: viewer })).json();

/** A running nginx app deployed when the catalog said `version` (the catalog has moved on since). */
async function deployedAt(name: string, version: string) {
  const res = await h.call("POST", "/api/v1/apps", {
    as: op,
    body: { name, source: { type: "catalog", catalogId: "nginx" }, target: { nodeId } },
  });
  expect(res.status).toBe(202);
  const app = await res.json();
  await finish(app.lastJobId, {
    kind: "result",
    status: "succeeded",
    result: { vmid: 200 + name.length, address: "127.77.0.9", commit: null, snapshot: "pylon_1" },
  });
  const [row] = await h.db.select().from(apps).where(eq(apps.id, app.id));
  const source = { ...(row!.source as Extract<AppSource, { type: "catalog" }>), version };
  await h.db.update(apps).set({ source }).where(eq(apps.id, app.id));
  return app.id as string;
}

describe("update checks", () => {
  it("records the version a deploy ran; a check finds the catalog's newer one and the app list shows it", async () => {
    const fresh = await h.call("POST", "/api/v1/apps", {
      as: op,
      body: { name: "fresh", source: { type: "catalog", catalogId: "nginx" }, target: { nodeId } },
    });
    const created = await fresh.json();
    expect((await jobOf(created.lastJobId)).params).toMatchObject({ catalogVersion: "1.27.3" });
    expect(created.update).toEqual({ current: "1.27.3", available: null, checkedAt: null });

    const id = await deployedAt("old", "1.25.0");
    const check = await h.call("POST", `/api/v1/apps/${id}/update-check`, { as: op });
    expect(check.status).toBe(200);
    expect(await check.json()).toEqual({
      current: "1.25.0",
      available: "1.27.3",
      checkedAt: new Date(h.clock.now).toISOString(),
    });
    const list = (await (await h.call("GET", "/api/v1/apps", { as: viewer })).json()).items;
    expect(list.find((a: { id: string }) => a.id === id).update).toMatchObject({
      current: "1.25.0",
      available: "1.27.3",
    });
  });

  it("answers 403 to a viewer, 404 for no app and 409 for a Git app", async () => {
    const id = await deployedAt("viewed", "1.0.0");
    expect((await h.call("POST", `/api/v1/apps/${id}/update-check`, { as: viewer })).status).toBe(403);
    const none = await h.call("POST", "/api/v1/apps/app_nope/update-check", { as: op });
    expect(none.status).toBe(404);
    const [row] = await h.db.select().from(apps).where(eq(apps.id, id));
    await h.db
      .update(apps)
      .set({
        source: {
          type: "git",
          url: "https://git.example/x.git",
          ref: "main",
          subdirectory: null,
          buildMode: "auto",
          port: null,
        },
      })
      .where(eq(apps.id, row!.id));
    const git = await h.call("POST", `/api/v1/apps/${id}/update`, { as: op });
    expect(git.status).toBe(409);
    expect((await git.json()).error.message).toMatch(/built from Git/);
  });
});

describe("updating", () => {
  it("queues a redeploy to the new version that keeps the guest; success records the new version", async () => {
    const id = await deployedAt("upd", "1.25.0");
    await h.call("POST", `/api/v1/apps/${id}/update-check`, { as: op });
    const res = await h.call("POST", `/api/v1/apps/${id}/update`, { as: op });
    expect(res.status).toBe(202);
    const app = await res.json();
    expect(app.status).toBe("deploying");
    const job = await jobOf(app.lastJobId);
    expect(job.params).toMatchObject({
      mode: "redeploy",
      vmid: 203,
      update: { from: "1.25.0", to: "1.27.3" },
      catalogVersion: "1.27.3",
      route: { id: id.toLowerCase().replace(/_/g, "-") },
    });
    // A second update while this one runs is refused.
    expect((await h.call("POST", `/api/v1/apps/${id}/update`, { as: op })).status).toBe(409);
    await finish(job.id, {
      kind: "result",
      status: "succeeded",
      result: { vmid: 203, address: "127.77.0.9", commit: null, snapshot: "pylon_2" },
    });
    expect(await get(id)).toMatchObject({
      status: "running",
      lastError: null,
      source: { version: "1.27.3" },
      update: { current: "1.27.3", available: null },
    });
    const again = await h.call("POST", `/api/v1/apps/${id}/update`, { as: op });
    expect(again.status).toBe(409);
    expect((await again.json()).error.message).toMatch(/already runs nginx 1\.27\.3/);
  });

  it("a failed update keeps the old version, says it was rolled back and why", async () => {
    const id = await deployedAt("bad", "1.25.0");
    const app = await (await h.call("POST", `/api/v1/apps/${id}/update`, { as: op })).json();
    await finish(app.lastJobId, {
      kind: "result",
      status: "failed",
      error: {
        step: "health",
        message:
          "health failed: GET / answered 500; rolled back to snapshot pylon_20261203_120000; version 1.25.0 runs again",
      },
    });
    const after = await get(id);
    expect(after).toMatchObject({
      status: "running",
      source: { version: "1.25.0" },
      update: { current: "1.25.0" },
    });
    expect(after.lastError).toMatch(/^Update from 1\.25\.0 to 1\.27\.3 failed: .*answered 500.*rolled back/);
  });

  it("refuses an update on storage without snapshots, naming why", async () => {
    const id = await deployedAt("nosnap", "1.25.0");
    await h.db.update(apps).set({ snapshots: false }).where(eq(apps.id, id));
    const res = await h.call("POST", `/api/v1/apps/${id}/update`, { as: op });
    expect(res.status).toBe(409);
    expect((await res.json()).error.message).toMatch(/cannot take snapshots.*could not be rolled back/);
    expect((await get(id)).status).toBe("running");
  });
});

describe("the scheduled check", () => {
  it("records what it finds for a catalog app and skips Git apps and apps gone", async () => {
    const { scheduledUpdateCheck } = await import("../../services/app-updates.ts");
    const id = await deployedAt("sched", "1.0.0");
    expect(await scheduledUpdateCheck(h.deps, id)).toMatchObject({ current: "1.0.0", available: "1.27.3" });
    expect((await get(id)).update).toMatchObject({ available: "1.27.3" });
    expect(await scheduledUpdateCheck(h.deps, "app_gone")).toBeNull();
  });
});

describe("update-check schedules, run by the control plane", () => {
  it("checks an app when its schedule's next time after the last check has passed, and not before", async () => {
    const { runDueUpdateChecks } = await import("../../services/update-check-schedules.ts");
    const { policySchedulerOn } = await import("../../services/policy-scheduler.ts");
    const id = await deployedAt("weekly", "1.0.0");
    // Mondays 05:00 UTC, through the adapter the AUTO policy uses.
    h.clock.now = Date.parse("2026-12-01T12:00:00Z"); // a Tuesday
    await h.db.update(apps).set({ updateCheckedAt: null, availableVersion: null }).where(eq(apps.id, id));
    await policySchedulerOn(h.deps).ensure(id, "update-check", "0 5 * * 1");
    expect(await runDueUpdateChecks(h.deps)).toBe(0);
    expect((await get(id)).update).toMatchObject({ available: null });
    h.clock.now = Date.parse("2026-12-07T05:01:00Z"); // the next Monday, just after 05:00
    expect(await runDueUpdateChecks(h.deps)).toBe(1);
    expect((await get(id)).update).toMatchObject({ current: "1.0.0", available: "1.27.3" });
    // Checked now: the next one is a week away.
    h.clock.now += 3600_000;
    expect(await runDueUpdateChecks(h.deps)).toBe(0);
  });

  it("leaves a schedule the user already has as it is when the policy asks for one", async () => {
    const { policySchedulerOn } = await import("../../services/policy-scheduler.ts");
    const id = await deployedAt("mine", "1.27.3");
    const writer = await h.token(await h.user("operator"), ["write"]);
    const made = await h.call("POST", `/api/v1/apps/${id}/schedules`, {
      as: writer,
      body: { kind: "backup", cron: "15 1 * * *" },
    });
    expect(made.status, await made.clone().text()).toBe(201);
    await policySchedulerOn(h.deps).ensure(id, "backup", "0 3 * * *");
    const list = await (await h.call("GET", `/api/v1/apps/${id}/schedules`, { as: writer })).json();
    expect(list.items.map((s: { kind: string; cron: string }) => `${s.kind} ${s.cron}`)).toEqual([
      "backup 15 1 * * *",
    ]);
  });
});
