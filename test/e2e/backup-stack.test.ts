// Backups, restores, drills and snapshots as a user runs them: the API, the agent bundle, the
// simulator (a Proxmox Backup Server storage beside local) and a real Caddy serving the apps.
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { type AppStack, caddyInstalled, startAppStack } from "./support/app-stack.ts";
import { jobFinished, until } from "./support/stack.ts";

let stack: AppStack;

beforeAll(async () => {
  stack = await startAppStack({ storages: [{ id: "pbs", type: "pbs" }] });
}, 90_000);
afterAll(() => stack?.stop());
afterEach(async () => {
  await fetch(`${stack.sim.controlUrl}/faults`, { method: "DELETE" });
});

const api = (method: string, path: string, body?: unknown) => stack.api.call(method, path, body);
const appOf = async (id: string) => (await api("GET", `/api/v1/apps/${id}`)).json;
const backupsOf = async (id: string) => (await api("GET", `/api/v1/apps/${id}/backups`)).json;
const control = (path: string, body: unknown) =>
  fetch(stack.sim.controlUrl + path, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });
const guestFile = (vmid: number) =>
  join(stack.sim.stateDir, "guests", String(vmid), "root", "srv", "data.txt");
const writeData = (vmid: number, text: string) => {
  mkdirSync(join(stack.sim.stateDir, "guests", String(vmid), "root", "srv"), { recursive: true });
  writeFileSync(guestFile(vmid), text);
};
const pbsVolumes = (vmid: number) =>
  [...stack.sim.world.storage("pbs").volumes.values()].filter((v) => v.vmid === vmid).map((v) => v.volid);
const guestIds = () => [...stack.sim.world.guests.keys()].sort((a, b) => a - b);

async function succeeded(jobId: string, timeoutMs = 60_000) {
  const job = await jobFinished(stack.api, jobId, timeoutMs);
  expect(job.error ?? null, JSON.stringify(job)).toBeNull();
  return job;
}

async function deployed(name: string) {
  const res = await api("POST", "/api/v1/apps", {
    name,
    source: { type: "catalog", catalogId: "nginx", parameters: {} },
    target: { nodeId: stack.nodeId, type: "lxc" },
  });
  expect(res.status, JSON.stringify(res.json)).toBe(202);
  await succeeded(res.json.lastJobId);
  return appOf(res.json.id);
}

/** Backs the app up and waits for the backup to be done; returns it as listed. */
async function backUp(appId: string, body: object = {}) {
  const res = await api("POST", `/api/v1/apps/${appId}/backups`, body);
  expect(res.status, JSON.stringify(res.json)).toBe(202);
  await jobFinished(stack.api, res.json.jobId, 60_000);
  return (await backupsOf(appId)).items.find((b: { id: string }) => b.id === res.json.id);
}

describe.skipIf(!caddyInstalled())("backups end to end", { timeout: 180_000 }, () => {
  let app: { id: string; guest: { vmid: number } };

  it("backs up to a Proxmox Backup Server and prunes by retention, leaving exactly the newest", async () => {
    app = await deployed("shop");
    const node = await api("PATCH", `/api/v1/nodes/${stack.nodeId}`, { backupStorage: "pbs" });
    expect(node.status, JSON.stringify(node.json)).toBe(200);
    const set = await api("PUT", `/api/v1/apps/${app.id}/backups/settings`, {
      retention: { keepLast: 2 },
      storage: null,
    });
    expect(set.status).toBe(200);
    const made: string[] = [];
    for (let i = 0; i < 3; i++) {
      writeData(app.guest.vmid, `version ${i}`);
      const b = await backUp(app.id);
      expect(b).toMatchObject({ status: "ok", storage: "pbs", protected: false });
      expect(b.volid).toMatch(
        new RegExp(`^pbs:backup/ct/${app.guest.vmid}/\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ$`),
      );
      made.push(b.volid);
    }
    // Proxmox's prune after the third removed the oldest: on the storage and in the list.
    expect(pbsVolumes(app.guest.vmid).sort()).toEqual(made.slice(1).sort());
    const listed = (await backupsOf(app.id)).items.map((b: { volid: string }) => b.volid);
    expect(listed.sort()).toEqual(made.slice(1).sort());
    const notes = stack.sim.world.storage("pbs").volumes.get(made[2]!)?.notes ?? "";
    expect(notes).toMatch(/^Pylon app shop · job job_/);

    // A dry run of a stricter retention shows what would go and removes nothing.
    const dry = await api("POST", `/api/v1/apps/${app.id}/backups/prune`, {
      dryRun: true,
      retention: { keepLast: 1 },
    });
    expect(dry.status, JSON.stringify(dry.json)).toBe(200);
    expect(
      dry.json.entries
        .filter((e: { mark: string }) => e.mark === "remove")
        .map((e: { volid: string }) => e.volid),
    ).toEqual([made[1]]);
    expect(pbsVolumes(app.guest.vmid)).toHaveLength(2);
  });

  it("restores in place and as a new app; both are served through Caddy", async () => {
    const [newest] = (await backupsOf(app.id)).items;
    expect(readFileSync(guestFile(app.guest.vmid), "utf8")).toBe("version 2");
    writeData(app.guest.vmid, "damaged after the backup");

    const copy = await api("POST", `/api/v1/apps/${app.id}/backups/${newest.id}/restore`, {
      target: "new",
      name: "shop-copy",
    });
    expect(copy.status, JSON.stringify(copy.json)).toBe(202);
    await succeeded(copy.json.lastJobId);
    const copied = await appOf(copy.json.id);
    expect(copied).toMatchObject({ status: "running", name: "shop-copy" });
    expect(copied.ports).not.toEqual((await appOf(app.id)).ports);
    expect(readFileSync(guestFile(copied.guest.vmid), "utf8")).toBe("version 2");

    const old = app.guest.vmid;
    const inPlace = await api("POST", `/api/v1/apps/${app.id}/backups/${newest.id}/restore`, {
      target: "in-place",
    });
    expect(inPlace.status, JSON.stringify(inPlace.json)).toBe(202);
    await succeeded(inPlace.json.lastJobId);
    const restored = await appOf(app.id);
    expect(restored.status).toBe("running");
    expect(restored.guest.vmid).not.toBe(old);
    expect(guestIds()).not.toContain(old);
    expect(readFileSync(guestFile(restored.guest.vmid), "utf8")).toBe("version 2");
    app = restored;

    for (const host of ["shop.apps.test", "shop-copy.apps.test"]) {
      const page = await stack.fetchApp(host);
      expect(page.status, host).toBe(200);
      expect(page.body).toContain("pve-sim service");
    }
  });

  it("keeps the original running when a restore fails (a damaged backup)", async () => {
    const b = await backUp(app.id);
    await control("/volumes/corrupt", { volid: b.volid });
    const before = guestIds();
    const res = await api("POST", `/api/v1/apps/${app.id}/backups/${b.id}/restore`, { target: "in-place" });
    const job = await jobFinished(stack.api, res.json.lastJobId, 60_000);
    expect(job.status).toBe("failed");
    expect(job.error).toMatch(/restore failed: unable to read data blob - wrong magic number/);
    const after = await appOf(app.id);
    expect(after).toMatchObject({ status: "running", guest: { vmid: app.guest.vmid } });
    expect(after.lastError).toMatch(/^Restore failed: .*; the app runs on as before$/);
    expect(guestIds()).toEqual(before);
    expect((await stack.fetchApp("shop.apps.test")).status).toBe(200);
  });

  it("verifies a good backup with a drill and fails a damaged one, leaving no guest behind", async () => {
    const { items } = await backupsOf(app.id);
    const good = items.find(
      (b: { status: string; volid: string }) =>
        b.status === "ok" && !stack.sim.world.storage("pbs").volumes.get(b.volid)?.corrupt,
    );
    const bad = items.find(
      (b: { volid: string }) => stack.sim.world.storage("pbs").volumes.get(b.volid)?.corrupt,
    );
    const before = guestIds();
    for (const b of [good, bad]) {
      const res = await api("POST", `/api/v1/apps/${app.id}/backups/${b.id}/drill`);
      expect(res.status, JSON.stringify(res.json)).toBe(202);
      await jobFinished(stack.api, res.json.verified.jobId, 90_000);
    }
    const after = (await backupsOf(app.id)).items;
    const verdict = (id: string) => after.find((b: { id: string }) => b.id === id).verified;
    expect(verdict(good.id)).toMatchObject({ status: "passed" });
    expect(verdict(good.id).detail).toMatch(/answered 200$/);
    expect(verdict(bad.id)).toMatchObject({ status: "failed" });
    expect(verdict(bad.id).detail).toMatch(/wrong magic number/);
    expect(guestIds()).toEqual(before);
  });
});

describe.skipIf(!caddyInstalled())("backup faults", { timeout: 180_000 }, () => {
  let app: { id: string; guest: { vmid: number } };
  beforeAll(async () => {
    app = await deployed("faulty");
    await api("PUT", `/api/v1/apps/${app.id}/backups/settings`, { retention: null, storage: "local" });
  }, 90_000);

  it("fails clearly when the storage fills up mid-backup, and nothing is half-written", async () => {
    await control("/faults", { taskType: "vzdump", vmid: app.guest.vmid, action: "delay", ms: 1500 });
    const res = await api("POST", `/api/v1/apps/${app.id}/backups`, {});
    await until(
      async () => stack.sim.world.tasks.active().some((t) => t.type === "vzdump"),
      20_000,
      "vzdump",
    );
    await control("/storage/local/fill", { free: 0 });
    const job = await jobFinished(stack.api, res.json.jobId, 60_000);
    await control("/storage/local/fill", { free: 50 * 2 ** 30 });
    expect(job.status).toBe("failed");
    expect(job.error).toMatch(
      /backup failed: vzdump archive '.*' failed: write error: No space left on device/,
    );
    const row = (await backupsOf(app.id)).items.find((b: { id: string }) => b.id === res.json.id);
    expect(row).toMatchObject({ status: "failed", volid: null });
    expect(
      [...stack.sim.world.storage("local").volumes.values()].filter((v) => v.vmid === app.guest.vmid),
    ).toEqual([]);
    expect(stack.sim.world.guests.get(app.guest.vmid)?.config.lock).toBeUndefined();
  });

  it("fails clearly while a snapshot holds the guest's lock", async () => {
    await control("/faults", { taskType: "vzsnapshot", vmid: app.guest.vmid, action: "hang" });
    const snap = await api("POST", `/api/v1/apps/${app.id}/snapshots`, {});
    expect(snap.status).toBe(202);
    await until(
      async () => stack.sim.world.guests.get(app.guest.vmid)?.config.lock === "snapshot",
      20_000,
      "the lock",
    );
    const res = await api("POST", `/api/v1/apps/${app.id}/backups`, {});
    const job = await jobFinished(stack.api, res.json.jobId, 60_000);
    expect(job.status).toBe("failed");
    expect(job.error).toBe("backup: backup failed: CT is locked (snapshot)");
    for (const t of stack.sim.world.tasks.active())
      if (t.type === "vzsnapshot") t.abort.abort(new Error("interrupted by signal"));
    await jobFinished(stack.api, snap.json.jobId, 30_000);
  });

  it("finishes a backup once when the agent is killed while vzdump runs", async () => {
    await control("/faults", { taskType: "vzdump", vmid: app.guest.vmid, action: "delay", ms: 3000 });
    const res = await api("POST", `/api/v1/apps/${app.id}/backups`, {});
    await until(
      async () => stack.sim.world.tasks.active().some((t) => t.type === "vzdump"),
      20_000,
      "vzdump",
    );
    await stack.restartAgent("SIGKILL");
    await succeeded(res.json.jobId, 90_000);
    const vzdumps = stack.sim.world.tasks.tasks.filter(
      (t) => t.type === "vzdump" && t.id === String(app.guest.vmid),
    );
    const row = (await backupsOf(app.id)).items.find((b: { id: string }) => b.id === res.json.id);
    expect(row.status).toBe("ok");
    const withJob = [...stack.sim.world.storage("local").volumes.values()].filter((v) =>
      v.notes?.includes(res.json.jobId),
    );
    expect(withJob.map((v) => v.volid)).toEqual([row.volid]);
    expect(vzdumps.filter((t) => t.log.some((l) => l.includes(res.json.jobId)))).toHaveLength(1);
  });

  it("finishes a restore once when the agent is killed mid-restore, with no orphan guest", async () => {
    const b = (await backupsOf(app.id)).items.find((x: { status: string }) => x.status === "ok");
    await control("/faults", { taskType: "vzrestore", action: "delay", ms: 3000 });
    const res = await api("POST", `/api/v1/apps/${app.id}/backups/${b.id}/restore`, {
      target: "new",
      name: "faulty-copy",
    });
    expect(res.status, JSON.stringify(res.json)).toBe(202);
    await until(
      async () => stack.sim.world.tasks.active().some((t) => t.type === "vzrestore"),
      30_000,
      "vzrestore",
    );
    await stack.restartAgent("SIGKILL");
    await succeeded(res.json.lastJobId, 120_000);
    const copy = await appOf(res.json.id);
    expect(copy.status).toBe("running");
    const named = [...stack.sim.world.guests.values()].filter((g) => g.config.hostname === "faulty-copy");
    expect(named.map((g) => g.vmid)).toEqual([copy.guest.vmid]);
    expect(
      stack.sim.world.tasks.tasks.filter((t) => t.type === "vzrestore" && t.id === String(copy.guest.vmid)),
    ).toHaveLength(1);
    expect((await stack.fetchApp("faulty-copy.apps.test")).status).toBe(200);
  });
});
