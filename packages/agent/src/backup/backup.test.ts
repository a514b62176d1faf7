import type { Sim } from "@pylon/pve-sim";
import { appBackupResultSchema, appPruneResultSchema } from "@pylon/shared/protocol/index";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { configureAppJobs } from "../deploy/pipeline/deps.ts";
import { runJob, simState, testContext, testDeps } from "../deploy/pipeline/testing.ts";
import { JobError } from "../jobs/types.ts";
import { startCaddy, type TestCaddy } from "../routes/testing.ts";
import { simCall, startTestSim, TEMPLATE } from "../testing/sim.ts";
import { appBackup, appPrune, appVolume } from "./handlers.ts";

let sim: Sim;
let caddy: TestCaddy;
let deps: Awaited<ReturnType<typeof testDeps>>;

beforeAll(async () => {
  [sim, caddy] = await Promise.all([startTestSim({ storages: [{ id: "pbs", type: "pbs" }] }), startCaddy()]);
  deps = await testDeps(sim, caddy);
  configureAppJobs(deps);
  for (const vmid of [101, 102, 103]) await makeCt(vmid);
}, 60_000);
afterAll(async () => {
  configureAppJobs(undefined);
  await Promise.all([sim?.stop(), caddy?.stop(), deps?.cleanup()]);
});

async function makeCt(vmid: number): Promise<void> {
  const upid = await simCall(sim, "POST", "/nodes/pve/lxc", {
    vmid,
    ostemplate: TEMPLATE,
    hostname: `app${vmid}`,
    rootfs: "local-lvm:4",
    net0: "name=eth0,bridge=vmbr0,ip=dhcp",
  });
  await sim.world.tasks.get(String(upid))?.done;
}

const control = (path: string, body: unknown) =>
  fetch(sim.controlUrl + path, {
    method: "POST",
    body: JSON.stringify(body),
    headers: { "content-type": "application/json" },
  });

const backupOf = (vmid: number, overrides: Record<string, unknown> = {}) => ({
  appId: `app${vmid}`,
  vmid,
  type: "lxc" as const,
  storage: "local",
  notes: `Pylon app app${vmid} · commit abc123`,
  retention: null,
  ...overrides,
});

const volumes = async (storage: string, vmid: number) =>
  (await simState(sim)).storages
    .find((s) => s.storage === storage)!
    .volumes.filter((v) => v.vmid === vmid && v.content === "backup");

describe("app.backup", { timeout: 30_000 }, () => {
  it("backs up in snapshot mode with the app and job in the notes, then prunes by retention", async () => {
    const made: string[] = [];
    for (let i = 0; i < 3; i++) {
      const ctx = testContext(sim);
      const r = appBackupResultSchema.parse(
        await runJob(appBackup, backupOf(101, { retention: { keepLast: 2 } }), ctx),
      );
      expect(r.volid).toMatch(/^local:backup\/vzdump-lxc-101-.*\.tar\.zst$/);
      expect(r.mode).toBe("snapshot");
      const note = (await volumes("local", 101)).find((v) => v.volid === r.volid)?.notes;
      expect(note).toBe(`Pylon app app101 · commit abc123 · job ${ctx.jobId}`);
      made.push(r.volid);
      if (i === 2) expect(r.pruned).toEqual([made[0]]);
      else expect(r.pruned).toEqual([]);
    }
    expect((await volumes("local", 101)).map((v) => v.volid).sort()).toEqual(made.slice(1).sort());
  });

  it("backs up to a Proxmox Backup Server storage", async () => {
    const r = appBackupResultSchema.parse(
      await runJob(appBackup, backupOf(102, { storage: "pbs" }), testContext(sim)),
    );
    expect(r.volid).toMatch(/^pbs:backup\/ct\/102\/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(r.storage).toBe("pbs");
  });

  it("fails with Proxmox's own reason while a snapshot holds the guest's lock", async () => {
    sim.world.guests.get(103)!.config.lock = "snapshot";
    try {
      const err = await runJob(appBackup, backupOf(103), testContext(sim)).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(JobError);
      expect((err as JobError).message).toBe("backup failed: CT is locked (snapshot)");
      expect(await volumes("local", 103)).toEqual([]);
    } finally {
      delete sim.world.guests.get(103)!.config.lock;
    }
  });

  it("fails cleanly when the storage fills up while the archive is written", async () => {
    await control("/faults", { taskType: "vzdump", vmid: 103, action: "delay", ms: 300 });
    const job = runJob(appBackup, backupOf(103, { storage: "pbs" }), testContext(sim)).catch(
      (e: unknown) => e,
    );
    await new Promise((r) => setTimeout(r, 100));
    await control("/storage/pbs/fill", { free: 0 });
    const err = await job;
    await control("/storage/pbs/fill", { free: 100 * 2 ** 30 });
    expect((err as Error).message).toMatch(/^backup failed: upload failed: .*No space left on device/);
    expect(await volumes("pbs", 103)).toEqual([]);
    expect((await simState(sim)).guests.find((g) => g.vmid === 103)?.lock).toBeNull();
  });

  it("picks the same vzdump up again after the agent was killed while it ran", async () => {
    const checkpoints = new Map<string, unknown>();
    await control("/faults", { taskType: "vzdump", vmid: 103, action: "delay", ms: 400 });
    const killed = new AbortController();
    const first = testContext(sim, checkpoints, false, killed.signal);
    const running = runJob(appBackup, backupOf(103), first).catch((e: unknown) => e);
    for (let i = 0; i < 100 && !checkpoints.has("backup.upid"); i++)
      await new Promise((r) => setTimeout(r, 10));
    killed.abort(new Error("agent stopping"));
    await running;
    const vzdumps = () => sim.world.tasks.tasks.filter((t) => t.type === "vzdump" && t.id === "103").length;
    const before = vzdumps();
    const again = { ...testContext(sim, checkpoints, true), jobId: first.jobId };
    const r = appBackupResultSchema.parse(await runJob(appBackup, backupOf(103), again));
    expect(vzdumps()).toBe(before);
    expect((await volumes("local", 103)).map((v) => v.volid)).toEqual([r.volid]);
  });
});

describe("app.prune and app.volume", { timeout: 30_000 }, () => {
  it("dry-runs a retention without removing anything, then prunes; protected backups stay", async () => {
    for (let i = 0; i < 2; i++) await runJob(appBackup, backupOf(102, { storage: "pbs" }), testContext(sim));
    const all = (await volumes("pbs", 102)).map((v) => v.volid);
    expect(all).toHaveLength(3);
    const oldest = all.sort()[0]!;
    await runJob(
      appVolume,
      { appId: "app102", storage: "pbs", volid: oldest, op: "protect" },
      testContext(sim),
    );
    const params = {
      appId: "app102",
      vmid: 102,
      type: "lxc" as const,
      storage: "pbs",
      retention: { keepLast: 1 },
    };
    const dry = appPruneResultSchema.parse(
      await runJob(appPrune, { ...params, dryRun: true }, testContext(sim)),
    );
    expect(dry.removed).toEqual([]);
    expect(dry.entries.find((e) => e.volid === oldest)?.mark).toBe("protected");
    expect(dry.entries.filter((e) => e.mark === "remove")).toHaveLength(1);
    expect(await volumes("pbs", 102)).toHaveLength(3);
    const real = appPruneResultSchema.parse(
      await runJob(appPrune, { ...params, dryRun: false }, testContext(sim)),
    );
    expect(real.removed).toEqual(dry.entries.filter((e) => e.mark === "remove").map((e) => e.volid));
    expect((await volumes("pbs", 102)).map((v) => v.volid).sort()).toEqual(
      dry.entries
        .filter((e) => e.mark !== "remove")
        .map((e) => e.volid)
        .sort(),
    );
  });

  it("refuses to delete a protected backup with Proxmox's reason, deletes it once unprotected", async () => {
    const protectedOne = (await volumes("pbs", 102)).find((v) => v.protected)!.volid;
    const refused = await runJob(
      appVolume,
      { appId: "app102", storage: "pbs", volid: protectedOne, op: "delete" },
      testContext(sim),
    ).catch((e: unknown) => e);
    expect((refused as Error).message).toMatch(
      /^delete failed: removing backup snapshot .* failed - backup is protected$/,
    );
    await runJob(
      appVolume,
      { appId: "app102", storage: "pbs", volid: protectedOne, op: "unprotect" },
      testContext(sim),
    );
    expect(
      await runJob(
        appVolume,
        { appId: "app102", storage: "pbs", volid: protectedOne, op: "delete" },
        testContext(sim),
      ),
    ).toEqual({ volid: protectedOne, deleted: true });
    expect(
      await runJob(
        appVolume,
        { appId: "app102", storage: "pbs", volid: protectedOne, op: "delete" },
        testContext(sim),
      ),
    ).toEqual({ volid: protectedOne, deleted: false });
  });
});
