import type { JobKind, JobStatus } from "@pylon/shared";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  apps,
  auditLog,
  backups,
  jobEvents,
  jobs,
  loginThrottle,
  sessions,
  setupTokens,
} from "../db/schema/index.ts";
import { newSortableId } from "../lib/ids.ts";
import { type Harness, makeHarness } from "../testing/harness.ts";
import { applyRetention } from "./retention.ts";

const DAY = 24 * 3600_000;
let h: Harness;
beforeAll(async () => {
  h = await makeHarness({ retention: { auditDays: 180, jobDays: 90, keepDeploys: 10 } });
});
afterAll(() => h.close());

let n = 0;
async function job(
  nodeId: string,
  kind: JobKind,
  finishedDaysAgo: number | null,
  appId: string | null = null,
  status: JobStatus = finishedDaysAgo === null ? "running" : "succeeded",
): Promise<string> {
  const created = h.clock.now - (finishedDaysAgo ?? 1) * DAY - 1000;
  const id = newSortableId("job", created + n++);
  await h.db.insert(jobs).values({
    id,
    nodeId,
    kind,
    appId,
    params: {},
    status,
    createdAt: created,
    updatedAt: created,
    finishedAt: finishedDaysAgo === null ? null : h.clock.now - finishedDaysAgo * DAY,
  });
  await h.db.insert(jobEvents).values(
    [1, 2, 3].map((seq) => ({
      jobId: id,
      seq,
      at: created,
      event: { kind: "log", level: "info", message: `line ${seq}` },
    })),
  );
  return id;
}

describe("retention", () => {
  it("deletes what is past its time and keeps each app's latest job and last deploys", async () => {
    const nodeId = await h.node();
    const appId = await h.appOn(nodeId, 300);
    // Twelve old deploys of a live app and a running one: the last ten deploys (the running one
    // and the nine newest old ones) stay.
    const deploys: string[] = [];
    for (let i = 0; i < 12; i++) deploys.push(await job(nodeId, "app.deploy", 200 - i, appId));
    // The app's latest job is old, and not a deploy: it stays.
    const latest = await job(nodeId, "app.action", 150, appId);
    await h.db.update(apps).set({ lastJobId: latest }).where(eq(apps.id, appId));
    // Deploys of an app that is gone: no reason to keep them.
    const orphans = [
      await job(nodeId, "app.deploy", 120, "app_gone"),
      await job(nodeId, "app.deploy", 95, "app_gone"),
    ];
    const oldFailed = await job(nodeId, "guest.power", 91, null, "failed");
    const stillRunning = await job(nodeId, "app.deploy", null, appId);
    const recent = await job(nodeId, "guest.power", 89);
    const oldRead = await job(nodeId, "app.logs", 2, appId);
    const newRead = await job(nodeId, "app.diagnostics", 0.5, appId);
    // A backup's job and its drill stay while the backup exists, however old.
    const backupJob = await job(nodeId, "app.backup", 300, appId);
    const drillJob = await job(nodeId, "app.drill", 299, appId);
    await h.db.insert(backups).values({
      id: "bak_kept",
      appId,
      appName: "kept",
      nodeId,
      vmid: 300,
      guestType: "lxc",
      storage: "local",
      status: "ok",
      takenAt: h.clock.now - 300 * DAY,
      appState: {} as never,
      jobId: backupJob,
      drillJobId: drillJob,
      createdAt: h.clock.now - 300 * DAY,
      updatedAt: h.clock.now - 300 * DAY,
    });

    const auditAt = (daysAgo: number) => h.clock.now - daysAgo * DAY;
    const audit = (at: number, i: number) => ({
      id: newSortableId("aud", at),
      at,
      actorType: "anonymous" as const,
      action: "auth.login",
      result: "failure" as const,
      status: 401,
      requestId: `r${i}`,
    });
    // More old rows than one delete statement takes, to show a pass drains them all.
    const old = Array.from({ length: 1234 }, (_, i) => audit(auditAt(181) + i, i));
    for (let i = 0; i < old.length; i += 200) await h.db.insert(auditLog).values(old.slice(i, i + 200));
    const kept = Array.from({ length: 3 }, (_, i) => audit(auditAt(179) + i, 9000 + i));
    await h.db.insert(auditLog).values(kept);

    const minute = 60_000;
    await h.db.insert(loginThrottle).values([
      {
        key: "account:stale@example.com",
        failures: 3,
        windowStartedAt: h.clock.now - 16 * minute,
        lockedUntil: 0,
      },
      {
        key: "ip:203.0.113.1",
        failures: 31,
        windowStartedAt: h.clock.now - 16 * minute,
        lockedUntil: h.clock.now + minute,
      },
      {
        key: "account:fresh@example.com",
        failures: 1,
        windowStartedAt: h.clock.now - minute,
        lockedUntil: 0,
      },
    ]);
    const u = await h.user("viewer");
    await h.db.insert(sessions).values([
      { idHash: "expired", userId: u.id, createdAt: 0, lastSeenAt: 0, expiresAt: h.clock.now - 1 },
      { idHash: "live", userId: u.id, createdAt: 0, lastSeenAt: 0, expiresAt: h.clock.now + DAY },
    ]);
    await h.db.insert(setupTokens).values([
      { hash: "old", createdAt: 0, expiresAt: h.clock.now - 1 },
      { hash: "new", createdAt: 0, expiresAt: h.clock.now + 1000 },
    ]);

    const report = await applyRetention(h.deps);

    const jobIds = new Set((await h.db.select({ id: jobs.id }).from(jobs)).map((j) => j.id));
    for (const id of [...deploys.slice(3), latest, stillRunning, recent, newRead, backupJob, drillJob])
      expect(jobIds).toContain(id);
    for (const id of [...deploys.slice(0, 3), ...orphans, oldFailed, oldRead])
      expect(jobIds).not.toContain(id);
    const eventJobs = new Set((await h.db.select({ id: jobEvents.jobId }).from(jobEvents)).map((e) => e.id));
    expect([...eventJobs].every((id) => jobIds.has(id))).toBe(true);
    expect(eventJobs).toContain(latest);
    expect(report.jobs).toBe(7);

    const auditIds = (await h.db.select({ id: auditLog.id }).from(auditLog)).map((a) => a.id);
    expect(auditIds.sort()).toEqual(kept.map((k) => k.id).sort());
    expect(report.audit).toBe(1234);

    const keys = (await h.db.select({ key: loginThrottle.key }).from(loginThrottle)).map((r) => r.key).sort();
    expect(keys).toEqual(["account:fresh@example.com", "ip:203.0.113.1"]);
    expect((await h.db.select().from(sessions)).map((s) => s.idHash)).toEqual(["live"]);
    expect((await h.db.select().from(setupTokens)).map((s) => s.hash)).toEqual(["new"]);

    // A second pass finds nothing more.
    expect(Object.values(await applyRetention(h.deps)).every((v) => v === 0)).toBe(true);
  }, 60_000);

  it("uses the configured audit retention", async () => {
    const s = await makeHarness({ retention: { auditDays: 7 } });
    try {
      const at = (d: number) => s.clock.now - d * DAY;
      const row = (d: number) => ({
        id: newSortableId("aud", at(d)),
        at: at(d),
        actorType: "system" as const,
        action: "x",
        result: "success" as const,
        status: 200,
        requestId: `r${d}`,
      });
      await s.db.insert(auditLog).values([row(8), row(6)]);
      await applyRetention(s.deps);
      expect((await s.db.select().from(auditLog)).map((r) => r.requestId)).toEqual(["r6"]);
    } finally {
      s.close();
    }
  });
});
