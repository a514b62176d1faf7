import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { apps, backups, jobs } from "../../db/schema/index.ts";
import { recordEvent } from "../../services/agent-events.ts";
import { markOffered } from "../../services/agent-jobs.ts";
import { type Harness, makeHarness } from "../../testing/harness.ts";

let h: Harness;
let op: string;
let nodeId: string;
const GiB = 1024 ** 3;
const storage = (name: string, type: string, content: string[]) => ({
  storage: name,
  type,
  content,
  total: 100 * GiB,
  used: 0,
  avail: 100 * GiB,
  active: true,
});

beforeAll(async () => {
  h = await makeHarness();
  op = await h.token(await h.user("operator"), ["write"]);
  nodeId = await h.node("pve1", {
    metrics: {
      cpu: 0.1,
      cpus: 8,
      memTotal: 32 * GiB,
      memUsed: 8 * GiB,
      diskTotal: 0,
      diskUsed: 0,
      uptime: 1,
      loadavg: [],
    },
    inventory: {
      pveVersion: "8.4.5",
      node: { cpu: 0.1, cpus: 8, memTotal: 32 * GiB, memUsed: 8 * GiB, uptime: 1 },
      guests: [],
      storages: [
        storage("local", "dir", ["iso", "vztmpl", "backup"]),
        storage("pbs", "pbs", ["backup"]),
        storage("local-lvm", "lvmthin", ["rootdir", "images"]),
        storage("data", "dir", ["rootdir", "images"]),
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
  return recordEvent(h.deps, job.nodeId, {
    v: 1,
    type: "event",
    jobId,
    seq: job.lastSeq + 1,
    at: h.clock.now,
    event: event as never,
  });
}

const get = async (path: string) => (await h.call("GET", path, { as: op })).json();
const post = (path: string, body: object) => h.call("POST", path, { as: op, body });

/** A deployed catalog app (its deploy finished on guest `vmid`). */
async function runningApp(name: string, vmid: number) {
  const res = await post("/api/v1/apps", {
    name,
    source: { type: "catalog", catalogId: "nginx", parameters: {} },
    target: { nodeId },
  });
  const app = await res.json();
  await finish(app.lastJobId, {
    kind: "result",
    status: "succeeded",
    result: { vmid, address: `127.77.1.${vmid % 250}`, commit: null, snapshot: "pylon_1", snapshots: true },
  });
  return get(`/api/v1/apps/${app.id}`);
}

/** Backs the app up and reports the agent's result (volid, size, pruned). */
async function backedUp(appId: string, volid: string, pruned: string[] = [], body: object = {}) {
  const res = await post(`/api/v1/apps/${appId}/backups`, body);
  expect(res.status).toBe(202);
  const b = await res.json();
  await finish(b.jobId, {
    kind: "result",
    status: "succeeded",
    result: { volid, storage: b.storage, size: 12_345_678, ctime: 1_760_000_000, mode: "snapshot", pruned },
  });
  return b;
}

describe("backups of an app", () => {
  it("queues vzdump with notes naming the app, to the default storage, and records the result", async () => {
    const app = await runningApp("site", 201);
    expect(app.snapshots).toBe(true);
    const res = await post(`/api/v1/apps/${app.id}/backups`, { note: "before the upgrade" });
    expect(res.status).toBe(202);
    const b = await res.json();
    expect(b).toMatchObject({
      appId: app.id,
      storage: "local",
      status: "running",
      volid: null,
      protected: false,
    });
    const job = await jobOf(b.jobId);
    expect(job).toMatchObject({ kind: "app.backup", appId: app.id });
    expect(job.params).toEqual({
      appId: app.id,
      vmid: 201,
      type: "lxc",
      storage: "local",
      notes: "Pylon app site · before the upgrade",
      retention: null,
    });
    await finish(b.jobId, {
      kind: "result",
      status: "succeeded",
      result: {
        volid: "local:backup/vzdump-lxc-201-2025_10_09-08_53_20.tar.zst",
        storage: "local",
        size: 1000,
        ctime: 1_760_000_000,
        mode: "snapshot",
        pruned: [],
      },
    });
    const list = await get(`/api/v1/apps/${app.id}/backups`);
    expect(list.storage).toBe("local");
    expect(list.storages.map((s: { storage: string }) => s.storage)).toEqual(["local", "pbs"]);
    expect(list.items).toHaveLength(1);
    expect(list.items[0]).toMatchObject({
      status: "ok",
      volid: "local:backup/vzdump-lxc-201-2025_10_09-08_53_20.tar.zst",
      sizeBytes: 1000,
      takenAt: new Date(1_760_000_000_000).toISOString(),
      note: "before the upgrade",
      appExists: true,
      verified: null,
    });
  });

  it("refuses a storage that holds no backups, naming the ones that do", async () => {
    const app = await runningApp("picky", 202);
    const res = await post(`/api/v1/apps/${app.id}/backups`, { storage: "local-lvm" });
    expect(res.status).toBe(400);
    expect((await res.json()).error.message).toBe(
      "Invalid request body: storage 'local-lvm' is not a storage of node 'pve1' that holds backups (has: local, pbs)",
    );
    const bad = await h.call("PUT", `/api/v1/apps/${app.id}/backups/settings`, {
      as: op,
      body: { retention: { keepLast: 0 }, storage: null },
    });
    expect(bad.status).toBe(400);
  });

  it("applies the app's retention and storage, and forgets the backups Proxmox pruned", async () => {
    const app = await runningApp("kept", 203);
    const set = await h.call("PUT", `/api/v1/apps/${app.id}/backups/settings`, {
      as: op,
      body: { retention: { keepLast: 2, keepDaily: 7 }, storage: "pbs" },
    });
    expect(set.status).toBe(200);
    const volid = (n: number) => `pbs:backup/ct/203/2025-10-0${n}T08:00:00Z`;
    const first = await backedUp(app.id, volid(1));
    expect((await jobOf(first.jobId)).params).toMatchObject({
      storage: "pbs",
      retention: { keepLast: 2, keepDaily: 7 },
    });
    await backedUp(app.id, volid(2));
    await backedUp(app.id, volid(3), [volid(1)]);
    const list = await get(`/api/v1/apps/${app.id}/backups`);
    expect(list.retention).toEqual({ keepLast: 2, keepDaily: 7 });
    expect(list.items.map((b: { volid: string }) => b.volid).sort()).toEqual([volid(2), volid(3)]);
  });

  it("records a failed backup with the agent's reason; deleting it removes the record", async () => {
    const app = await runningApp("broken", 204);
    const b = await (await post(`/api/v1/apps/${app.id}/backups`, {})).json();
    await finish(b.jobId, {
      kind: "result",
      status: "failed",
      error: { step: "backup", message: "backup failed: CT is locked (snapshot)" },
    });
    const [row] = (await get(`/api/v1/apps/${app.id}/backups`)).items;
    expect(row).toMatchObject({ status: "failed", error: "backup: backup failed: CT is locked (snapshot)" });
    expect((await h.call("DELETE", `/api/v1/apps/${app.id}/backups/${row.id}`, { as: op })).status).toBe(204);
    expect((await get(`/api/v1/apps/${app.id}/backups`)).items).toEqual([]);
  });

  it("protects a backup through the agent and then refuses to delete it", async () => {
    const app = await runningApp("guarded", 205);
    const b = await backedUp(app.id, "local:backup/vzdump-lxc-205-2025_10_09-08_53_20.tar.zst");
    const res = await h.call("PATCH", `/api/v1/apps/${app.id}/backups/${b.id}`, {
      as: op,
      body: { protected: true },
    });
    expect(res.status).toBe(202);
    const { jobId } = await res.json();
    expect((await jobOf(jobId)).params).toMatchObject({
      op: "protect",
      volid: b.volid ?? expect.any(String),
    });
    await finish(jobId, { kind: "result", status: "succeeded", result: { protected: true } });
    expect((await get(`/api/v1/apps/${app.id}/backups`)).items[0].protected).toBe(true);
    const del = await h.call("DELETE", `/api/v1/apps/${app.id}/backups/${b.id}`, { as: op });
    expect(del.status).toBe(409);
    expect((await del.json()).error.message).toBe("This backup is protected; unprotect it first");
  });
});

describe("restores", () => {
  it("restores in place: the app runs from the restored guest with the backup's env", async () => {
    const app = await runningApp("inplace", 210);
    const b = await backedUp(app.id, "local:backup/vzdump-lxc-210-2025_10_09-08_53_20.tar.zst");
    await h.db
      .update(apps)
      .set({ env: { CHANGED: "after the backup" } })
      .where(eq(apps.id, app.id));
    const res = await post(`/api/v1/apps/${app.id}/backups/${b.id}/restore`, { target: "in-place" });
    expect(res.status).toBe(202);
    const queued = await res.json();
    expect(queued.status).toBe("deploying");
    const job = await jobOf(queued.lastJobId);
    expect(job.params).toMatchObject({
      mode: "restore",
      name: "inplace",
      restoreFrom: { storage: "local", volid: "local:backup/vzdump-lxc-210-2025_10_09-08_53_20.tar.zst" },
      replaces: 210,
      env: {},
      keepSnapshots: 3,
      route: { host: "inplace.pylon.internal" },
    });
    await finish(job.id, {
      kind: "result",
      status: "succeeded",
      result: { vmid: 310, address: "127.77.3.10", commit: null, snapshot: "pylon_2", retired: 210 },
    });
    const after = await get(`/api/v1/apps/${app.id}`);
    expect(after).toMatchObject({ status: "running", guest: { vmid: 310 }, env: {}, lastError: null });
    expect(after.ports).toEqual(app.ports);
  });

  it("keeps the app as it was when a restore in place fails", async () => {
    const app = await runningApp("survivor", 211);
    const b = await backedUp(app.id, "local:backup/vzdump-lxc-211-2025_10_09-08_53_20.tar.zst");
    const queued = await (
      await post(`/api/v1/apps/${app.id}/backups/${b.id}/restore`, { target: "in-place" })
    ).json();
    await finish(queued.lastJobId, {
      kind: "result",
      status: "failed",
      error: { step: "create", message: "create failed: unable to restore CT 311 - exit code 2" },
      result: { undone: true },
    });
    expect(await get(`/api/v1/apps/${app.id}`)).toMatchObject({
      status: "running",
      guest: { vmid: 211 },
      lastError:
        "Restore failed: create: create failed: unable to restore CT 311 - exit code 2; the app runs on as before",
    });
  });

  it("restores as a new app with its own ports and route, also after the original was deleted", async () => {
    const app = await runningApp("original", 212);
    const b = await backedUp(app.id, "local:backup/vzdump-lxc-212-2025_10_09-08_53_20.tar.zst");
    const taken = await post(`/api/v1/apps/${app.id}/backups/${b.id}/restore`, {
      target: "new",
      name: "original",
    });
    expect(taken.status).toBe(409);
    const del = await h.call("DELETE", `/api/v1/apps/${app.id}?keepBackups=true`, { as: op });
    await finish((await del.json()).lastJobId, { kind: "result", status: "succeeded" });
    const kept = (await get("/api/v1/backups?deletedApps=true")).items;
    expect(kept.map((x: { id: string }) => x.id)).toContain(b.id);
    expect(kept.find((x: { id: string }) => x.id === b.id).appExists).toBe(false);

    const res = await post(`/api/v1/backups/${b.id}/restore`, { name: "revived" });
    expect(res.status).toBe(202);
    const copy = await res.json();
    expect(copy).toMatchObject({ name: "revived", status: "deploying", domain: "revived.pylon.internal" });
    expect(copy.ports.map((p: { port: number }) => p.port)).not.toEqual([]);
    const job = await jobOf(copy.lastJobId);
    expect(job.params).toMatchObject({
      mode: "restore",
      name: "revived",
      restoreFrom: { volid: b.volid ?? expect.any(String) },
    });
    expect(job.params).not.toHaveProperty("replaces");
  });

  it("deleting an app without keeping backups names every backup it had for the agent to delete", async () => {
    const app = await runningApp("tidy", 213);
    await backedUp(app.id, "local:backup/vzdump-lxc-113-2025_10_09-08_53_20.tar.zst");
    const del = await (await h.call("DELETE", `/api/v1/apps/${app.id}`, { as: op })).json();
    const job = await jobOf(del.lastJobId);
    expect(job.params).toMatchObject({
      keepBackups: false,
      backups: [{ storage: "local", volid: "local:backup/vzdump-lxc-113-2025_10_09-08_53_20.tar.zst" }],
    });
    await finish(job.id, { kind: "result", status: "succeeded" });
    expect(await h.db.select().from(backups).where(eq(backups.appId, app.id))).toEqual([]);
  });
});

describe("drills and prune", () => {
  it("drills a backup with the app's health check and records the verdict", async () => {
    const app = await runningApp("drilled", 220);
    const b = await backedUp(app.id, "local:backup/vzdump-lxc-220-2025_10_09-08_53_20.tar.zst");
    const res = await post(`/api/v1/apps/${app.id}/backups/${b.id}/drill`, {});
    expect(res.status).toBe(202);
    const queued = await res.json();
    expect(queued.verified).toMatchObject({ status: "running" });
    const job = await jobOf(queued.verified.jobId);
    expect(job.params).toMatchObject({
      name: "drilled",
      volid: "local:backup/vzdump-lxc-220-2025_10_09-08_53_20.tar.zst",
      sourceVmid: 220,
      guestStorage: "local-lvm",
      http: { port: app.ports[0].port },
    });
    expect((await post(`/api/v1/apps/${app.id}/backups/${b.id}/drill`, {})).status).toBe(409);
    await finish(job.id, {
      kind: "result",
      status: "succeeded",
      result: {
        volid: "local:backup/vzdump-lxc-220-2025_10_09-08_53_20.tar.zst",
        passed: false,
        detail: "unable to restore CT 400 - exit code 2",
        vmid: 400,
        durationMs: 10,
        cleaned: true,
      },
    });
    const [row] = (await get(`/api/v1/apps/${app.id}/backups`)).items;
    expect(row.verified).toMatchObject({
      status: "failed",
      detail: "unable to restore CT 400 - exit code 2",
    });
  });

  it("shows a dry run of the retention with Proxmox's marks, by backup", async () => {
    const app = await runningApp("pruned", 221);
    const b = await backedUp(app.id, "local:backup/vzdump-lxc-221-2025_10_09-08_53_20.tar.zst");
    const answer = post(`/api/v1/apps/${app.id}/backups/prune`, { dryRun: true, retention: { keepLast: 1 } });
    let pruneJob: string | undefined;
    for (let i = 0; i < 100 && !pruneJob; i++) {
      const rows = await h.db.select().from(jobs).where(eq(jobs.appId, app.id));
      pruneJob = rows.find((r) => r.kind === "app.prune")?.id;
      if (!pruneJob) await new Promise((r) => setTimeout(r, 20));
    }
    expect((await jobOf(pruneJob!)).params).toMatchObject({
      dryRun: true,
      retention: { keepLast: 1 },
      vmid: 221,
    });
    await finish(pruneJob!, {
      kind: "result",
      status: "succeeded",
      result: {
        entries: [
          {
            volid: "local:backup/vzdump-lxc-221-2025_10_09-08_53_20.tar.zst",
            ctime: 1_760_000_000,
            mark: "keep",
          },
          {
            volid: "local:backup/vzdump-lxc-221-2025_10_01-08_00_00.tar.zst",
            ctime: 1_759_300_000,
            mark: "remove",
          },
        ],
        removed: [],
      },
    });
    const res = await answer;
    expect(res.status).toBe(200);
    const body = await res.json();
    expect(body.entries).toEqual([
      expect.objectContaining({ backupId: b.id, mark: "keep" }),
      expect.objectContaining({ backupId: null, mark: "remove" }),
    ]);
    const real = await post(`/api/v1/apps/${app.id}/backups/prune`, {
      dryRun: false,
      retention: { keepLast: 1 },
    });
    expect(real.status).toBe(400);
  });
});

describe("snapshots", () => {
  it("knows before deploying that a CT on a directory storage will have no snapshots", async () => {
    const onDir = await post("/api/v1/apps", {
      name: "ondir",
      source: { type: "catalog", catalogId: "nginx", parameters: {} },
      target: { nodeId, storage: "data" },
    });
    expect(onDir.status).toBe(202);
    expect((await onDir.json()).snapshots).toBe(false);
    const onThin = await post("/api/v1/apps", {
      name: "onthin",
      source: { type: "catalog", catalogId: "nginx", parameters: {} },
      target: { nodeId },
    });
    expect((await onThin.json()).snapshots).toBe(true);
  });

  it("refuses snapshots with the storage's reason when the deploy found it cannot take them", async () => {
    const app = await runningApp("rawdisk", 230);
    await h.db.update(apps).set({ snapshots: false, storage: "local" }).where(eq(apps.id, app.id));
    const res = await post(`/api/v1/apps/${app.id}/snapshots`, {});
    expect(res.status).toBe(409);
    expect((await res.json()).error.message).toBe(
      "App 'rawdisk': storage 'local' (dir) keeps the disk as a raw image, which cannot take snapshots; restore a backup instead",
    );
  });

  it("rolls back through the agent; the app's commit follows the snapshot", async () => {
    const app = await runningApp("rollme", 231);
    const res = await post(`/api/v1/apps/${app.id}/snapshots/pylon_20250101_000000/rollback`, {});
    expect(res.status).toBe(202);
    const queued = await res.json();
    expect(queued.status).toBe("deploying");
    await finish(queued.lastJobId, {
      kind: "result",
      status: "succeeded",
      result: {
        snapshots: [
          { name: "pylon_20250101_000000", time: 1, description: "commit 0123456789abcdef", parent: null },
        ],
        supported: true,
        reason: null,
        latestOnly: false,
        name: "pylon_20250101_000000",
        pruned: [],
      },
    });
    expect(await get(`/api/v1/apps/${app.id}`)).toMatchObject({
      status: "running",
      commit: "0123456789abcdef",
    });
  });
});
