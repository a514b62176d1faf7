import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import type { Sim } from "@pylon/pve-sim";
import { appSnapshotResultSchema } from "@pylon/shared/protocol/index";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { configureAppJobs } from "../deploy/pipeline/deps.ts";
import { composeDeploy, deploy, runJob, testContext, testDeps } from "../deploy/pipeline/testing.ts";
import { JobError } from "../jobs/types.ts";
import { caddyInstalled, startCaddy, type TestCaddy } from "../routes/testing.ts";
import { startTestSim } from "../testing/sim.ts";
import { appSnapshot } from "./snapshots.ts";

let sim: Sim;
let caddy: TestCaddy;
let deps: Awaited<ReturnType<typeof testDeps>>;

beforeAll(async () => {
  [sim, caddy] = await Promise.all([
    startTestSim({
      storages: [
        { id: "data", type: "dir" },
        { id: "local-zfs", type: "zfspool" },
      ],
    }),
    startCaddy(),
  ]);
  deps = await testDeps(sim, caddy);
  configureAppJobs(deps);
}, 60_000);
afterAll(async () => {
  configureAppJobs(undefined);
  await Promise.all([sim?.stop(), caddy?.stop(), deps?.cleanup()]);
});

const onStorage = (name: string, port: number, storage: string) =>
  composeDeploy(name, port, {
    guest: { type: "lxc", cores: 1, memoryMb: 512, diskGb: 4, storage, bridge: "vmbr0" },
    keepSnapshots: 2,
  });
const snap = (
  vmid: number,
  op: "list" | "take" | "delete" | "rollback",
  extra: Record<string, unknown> = {},
) =>
  runJob(appSnapshot, { appId: "x", vmid, type: "lxc", op, ...extra }, testContext(sim)).then((r) =>
    appSnapshotResultSchema.parse(r),
  );
const dataFile = (vmid: number) => join(sim.stateDir, "guests", String(vmid), "root", "srv", "notes.txt");

describe.skipIf(!caddyInstalled())("snapshots and storage facts", { timeout: 60_000 }, () => {
  it("deploys on a dir storage without a snapshot and says why; taking one is refused", async () => {
    const ctx = testContext(sim);
    const app = await deploy(onStorage("rawapp", 8200, "data"), ctx);
    expect(app.snapshot).toBeNull();
    expect(app.snapshots).toBe(false);
    expect(ctx.steps()).toContain("snapshot succeeded");
    const note = ctx.events.find(
      (e) => e.kind === "step" && e.step === "snapshot" && e.status === "succeeded",
    );
    expect(note).toMatchObject({
      message: "skipped: storage 'data' (dir) keeps the disk as a raw image, which cannot take snapshots",
    });
    const list = await snap(app.vmid, "list");
    expect(list).toMatchObject({ supported: false, latestOnly: false, snapshots: [] });
    const err = await snap(app.vmid, "take").catch((e: unknown) => e);
    expect(err).toBeInstanceOf(JobError);
    expect((err as Error).message).toBe(
      "storage 'data' (dir) keeps the disk as a raw image, which cannot take snapshots; restore a backup instead",
    );
  });

  it("keeps only the newest N of the app's own snapshots", async () => {
    const app = await deploy(onStorage("keeper", 8201, "local-lvm"), testContext(sim));
    const taken = [app.snapshot!];
    for (let i = 0; i < 2; i++)
      taken.push((await snap(app.vmid, "take", { keep: 2, description: `n${i}` })).name!);
    const list = await snap(app.vmid, "list");
    expect(list.supported).toBe(true);
    expect(list.snapshots.map((s) => s.name)).toEqual(taken.slice(1));
    expect(list.snapshots.map((s) => s.description)).toEqual(["n0", "n1"]);
  });

  it("rolls back data on lvmthin to any snapshot, and on ZFS only to the newest", async () => {
    const lvm = await deploy(onStorage("lvmroll", 8202, "local-lvm"), testContext(sim));
    mkdirSync(join(sim.stateDir, "guests", String(lvm.vmid), "root", "srv"), { recursive: true });
    const zfs = await deploy(onStorage("zfsroll", 8203, "local-zfs"), testContext(sim));
    expect(zfs.snapshots).toBe(true);
    const first = (await snap(zfs.vmid, "take")).name!;
    await snap(zfs.vmid, "take");
    const zfsList = await snap(zfs.vmid, "list");
    expect(zfsList.latestOnly).toBe(true);
    const refused = await snap(zfs.vmid, "rollback", { name: first }).catch((e: unknown) => e);
    expect((refused as Error).message).toMatch(
      /^ZFS rolls back only to the most recent snapshot; delete the newer ones first \(pylon_\d{8}_\d{6}(_\d+)?\)$/,
    );
    const newest = zfsList.snapshots.at(-1)!.name;
    expect((await snap(zfs.vmid, "rollback", { name: newest })).name).toBe(newest);
    expect(sim.world.guests.get(zfs.vmid)?.status).toBe("running");

    // lvmthin: back past a newer snapshot, files included; the guest runs again afterwards.
    writeFileSync(dataFile(lvm.vmid), "before");
    const older = (await snap(lvm.vmid, "take")).name!;
    writeFileSync(dataFile(lvm.vmid), "after");
    await snap(lvm.vmid, "take");
    expect((await snap(lvm.vmid, "rollback", { name: older })).name).toBe(older);
    expect(sim.world.guests.get(lvm.vmid)?.status).toBe("running");
    expect(readFileSync(dataFile(lvm.vmid), "utf8")).toBe("before");
  });
});
