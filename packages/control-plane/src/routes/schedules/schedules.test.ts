// Schedules over the API, and the runs an agent reports for them (made, missed, resent).
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { apps, backups, jobs, scheduleRuns } from "../../db/schema/index.ts";
import { seal } from "../../lib/secret-box.ts";
import { recordEvent } from "../../services/agent-events.ts";
import { applyRetention } from "../../services/retention.ts";
import { nodeSchedules } from "../../services/schedule-push.ts";
import { recordRun } from "../../services/schedule-runs.ts";
import { type Harness, makeHarness } from "../../testing/harness.ts";

let h: Harness;
let op: string;
let admin: string;
let nodeId: string;
let appId: string;
const GiB = 1024 ** 3;

beforeAll(async () => {
  h = await makeHarness();
  op = await h.token(await h.user("operator"), ["write"]);
  admin = await h.token(await h.user("admin"), ["write"]);
  nodeId = await h.node("pve1", {
    inventory: {
      pveVersion: "8.4.5",
      node: { cpu: 0.1, cpus: 8, memTotal: 32 * GiB, memUsed: 8 * GiB, uptime: 1 },
      guests: [],
      storages: [
        { storage: "local", type: "dir", content: ["backup"], total: GiB, used: 0, avail: GiB, active: true },
      ],
      templates: [],
    },
  });
  appId = await h.appOn(nodeId, 120, "web");
  // A drill builds the app's health check from its (sealed) secrets.
  await h.db
    .update(apps)
    .set({
      secretsBox: await seal(h.deps.secretKey, { secrets: {}, catalogSecrets: {}, secretParameters: {} }),
    })
    .where(eq(apps.id, appId));
});
afterAll(() => h.close());

const base = () => `/api/v1/apps/${appId}/schedules`;

describe("schedules API", () => {
  it("refuses a bad cron expression with a 400 naming it", async () => {
    const res = await h.call("POST", base(), { as: op, body: { kind: "backup", cron: "0 25 * * *" } });
    expect(res.status).toBe(400);
    const body = await res.json();
    expect(body.error.message).toContain("'0 25 * * *' is not a valid cron expression");
    expect(body.error.message).toMatch(/hour/);
  });

  it("adds, lists with the next 3 runs, changes and removes a schedule", async () => {
    const res = await h.call("POST", base(), { as: op, body: { kind: "backup", cron: "0 3 * * *" } });
    expect(res.status).toBe(201);
    const created = await res.json();
    expect(created.nextRuns).toEqual([
      "2026-01-01T03:00:00.000Z",
      "2026-01-02T03:00:00.000Z",
      "2026-01-03T03:00:00.000Z",
    ]);
    const dup = await h.call("POST", base(), { as: op, body: { kind: "backup", cron: "0 4 * * *" } });
    expect(dup.status).toBe(409);
    const list = await (await h.call("GET", base(), { as: op })).json();
    expect(list.items.map((s: { kind: string; cron: string }) => `${s.kind} ${s.cron}`)).toEqual([
      "backup 0 3 * * *",
    ]);
    const patched = await h.call("PATCH", `${base()}/${created.id}`, {
      as: op,
      body: { cron: "30 1 * * 1" },
    });
    expect(patched.status).toBe(200);
    expect((await patched.json()).nextRuns[0]).toBe("2026-01-05T01:30:00.000Z");
    const bad = await h.call("PATCH", `${base()}/${created.id}`, { as: op, body: { cron: "* * *" } });
    expect(bad.status).toBe(400);
    expect((await bad.json()).error.message).toContain("'* * *'");
    expect((await h.call("DELETE", `${base()}/${created.id}`, { as: op })).status).toBe(204);
    expect((await (await h.call("GET", base(), { as: op })).json()).items).toEqual([]);
  });

  it("pushes the node default to apps without a backup schedule of their own", async () => {
    const res = await h.call("PUT", `/api/v1/nodes/${nodeId}/backup-schedule`, {
      as: admin,
      body: { backupCron: "0 2 * * *" },
    });
    expect(res.status).toBe(200);
    let pushed = await nodeSchedules(h.deps, nodeId);
    expect(pushed.map((s) => [s.id, s.kind, s.cron])).toEqual([[`dflt_${appId}`, "app.backup", "0 2 * * *"]]);
    await h.call("POST", base(), { as: op, body: { kind: "backup", cron: "0 5 * * *" } });
    await h.call("POST", base(), { as: op, body: { kind: "drill", cron: "0 6 * * 0" } });
    pushed = await nodeSchedules(h.deps, nodeId);
    expect(pushed.map((s) => `${s.kind} ${s.cron}`).sort()).toEqual([
      "app.backup 0 5 * * *",
      "app.drill 0 6 * * 0",
    ]);
    const list = await (await h.call("GET", base(), { as: op })).json();
    expect(list.nodeDefault).toMatchObject({ cron: "0 2 * * *", applies: false });
  });
});

describe("runs the agent reports", () => {
  const runFrame = (jobId: string, scheduledAt: number, missed: boolean) => ({
    v: 1 as const,
    type: "run" as const,
    jobId,
    scheduleId: "sch_x",
    appId,
    schedule: "backup",
    kind: "app.backup" as const,
    params: { appId, vmid: 120, type: "lxc", storage: "local", notes: "Pylon app web", retention: null },
    scheduledAt,
    missed,
  });
  const result = (jobId: string, status: "succeeded" | "failed", extra: object) => ({
    v: 1 as const,
    type: "event" as const,
    jobId,
    seq: 1,
    at: h.clock.now,
    event: { kind: "result" as const, status, ...extra },
  });

  it("records a run, its backup and its outcome once however often they are resent", async () => {
    const at = Date.parse("2026-01-01T05:00:00Z");
    const jobId = `run_schxz${at.toString(36)}`;
    const early = await recordEvent(h.deps, nodeId, result(jobId, "succeeded", {}));
    expect(early).toMatchObject({ stored: false, retry: true });
    for (let i = 0; i < 3; i++)
      expect(await recordRun(h.deps, nodeId, runFrame(jobId, at, false))).toEqual({ ok: true });
    const done = result(jobId, "succeeded", {
      result: {
        volid: "local:backup/vzdump-lxc-120-x.tar.zst",
        storage: "local",
        size: 10,
        ctime: at / 1000,
        mode: "snapshot",
        pruned: [],
      },
    });
    expect(await recordEvent(h.deps, nodeId, done)).toMatchObject({ stored: true, ack: 1, final: true });
    expect(await recordEvent(h.deps, nodeId, done)).toMatchObject({ stored: true, ack: 1 });
    expect(await recordRun(h.deps, nodeId, runFrame(jobId, at, false))).toEqual({ ok: true });
    const rows = await h.db.select().from(backups).where(eq(backups.jobId, jobId));
    expect(rows.map((r) => [r.status, r.volid, r.note])).toEqual([
      ["ok", "local:backup/vzdump-lxc-120-x.tar.zst", "scheduled"],
    ]);
    const list = await (await h.call("GET", base(), { as: op })).json();
    expect(list.runs.filter((r: { id: string }) => r.id === jobId)).toEqual([
      expect.objectContaining({ status: "succeeded", jobId, scheduledAt: "2026-01-01T05:00:00.000Z" }),
    ]);
  });

  it("records a missed run as missed, with no backup", async () => {
    const at = Date.parse("2026-01-01T06:00:00Z");
    const jobId = `run_schxz${at.toString(36)}`;
    expect(await recordRun(h.deps, nodeId, runFrame(jobId, at, true))).toEqual({ ok: true });
    await recordEvent(h.deps, nodeId, result(jobId, "failed", { error: { message: "missed" } }));
    expect(await h.db.select().from(backups).where(eq(backups.jobId, jobId))).toEqual([]);
    const [job] = await h.db.select().from(jobs).where(eq(jobs.id, jobId));
    expect(job?.status).toBe("failed");
    const list = await (await h.call("GET", base(), { as: op })).json();
    expect(list.runs.find((r: { id: string }) => r.id === jobId)).toMatchObject({
      status: "missed",
      jobId: null,
    });
  });

  it("refuses a run for another node's app or with params of another app", async () => {
    const other = await h.node("pve2");
    expect(await recordRun(h.deps, other, runFrame("run_schxzzz", 1, false))).toMatchObject({ ok: false });
    const bad = { ...runFrame("run_schxzzy", 1, false), params: { appId: "app_other" } };
    expect(await recordRun(h.deps, nodeId, bad)).toMatchObject({ ok: false });
  });
});

describe("run retention", () => {
  it("drops finished runs older than the job retention, keeps newer and running ones", async () => {
    const day = 86_400_000;
    const row = (id: string, scheduledAt: number, status: "succeeded" | "running") => ({
      id,
      scheduleId: "sch_old",
      appId,
      nodeId,
      kind: "backup" as const,
      scheduledAt,
      status,
      jobId: null,
      error: null,
      createdAt: scheduledAt,
      finishedAt: null,
    });
    const now = h.clock.now;
    await h.db
      .insert(scheduleRuns)
      .values([
        row("run_old", now - 100 * day, "succeeded"),
        row("run_stuck", now - 100 * day, "running"),
        row("run_new", now - day, "succeeded"),
      ]);
    const report = await applyRetention(h.deps, now);
    expect(report.scheduleRuns).toBe(1);
    const left = (await h.db.select().from(scheduleRuns).where(eq(scheduleRuns.scheduleId, "sch_old"))).map(
      (r) => r.id,
    );
    expect(left.sort()).toEqual(["run_new", "run_stuck"]);
  });
});
