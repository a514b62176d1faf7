// Backups, restores and the storage facts behind snapshots: PBS, dir with raw disks, ZFS.
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sandboxDir } from "../src/guests/sandbox.ts";
import { type Sim, startSimulator } from "../src/index.ts";
import { call, control, createCt, ok, run } from "./client.ts";

let sim: Sim;
beforeAll(async () => {
  sim = await startSimulator({
    auth401DelayMs: 0,
    ssh: false,
    storages: [
      { id: "pbs", type: "pbs" },
      { id: "data", type: "dir" },
      { id: "local-zfs", type: "zfspool" },
    ],
  });
  await createCt(sim, 101);
});
afterAll(() => sim.stop());

const backups = (storage: string, vmid?: number) =>
  ok(sim, "GET", `/nodes/pve/storage/${storage}/content`, { content: "backup", ...(vmid ? { vmid } : {}) });

describe("Proxmox Backup Server storage", () => {
  it("lists pbs next to the others, holding backups only", async () => {
    const list = await ok(sim, "GET", "/nodes/pve/storage", { content: "backup" });
    expect(list.map((s: { storage: string }) => s.storage)).toEqual(["local", "pbs", "data"]);
    expect(list[1]).toMatchObject({ type: "pbs", content: "backup" });
  });

  it("backs up to a snapshot named backup/ct/<vmid>/<UTC time>", async () => {
    const r = await run(sim, "POST", "/nodes/pve/vzdump", {
      vmid: 101,
      storage: "pbs",
      mode: "snapshot",
      "notes-template": "app {{guestname}} on {{node}}",
    });
    expect(r.status.exitstatus).toBe("OK");
    const line = r.log.find((l) => l.startsWith("INFO: creating Proxmox Backup Server archive"));
    expect(line).toMatch(/'ct\/101\/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ'$/);
    const [b] = await backups("pbs", 101);
    expect(b.volid).toMatch(/^pbs:backup\/ct\/101\/\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$/);
    expect(b).toMatchObject({ format: "pbs-ct", subtype: "lxc", notes: "app ct101 on pve", protected: 0 });
    expect(new Date(b.volid.split("/").at(-1)).getTime() / 1000).toBe(b.ctime);
  });

  it("dry-runs and prunes per backup group like proxmox-backup-client", async () => {
    for (let i = 0; i < 3; i++) await run(sim, "POST", "/nodes/pve/vzdump", { vmid: 101, storage: "pbs" });
    const all = await backups("pbs", 101);
    expect(all).toHaveLength(4);
    const dry = await ok(sim, "GET", "/nodes/pve/storage/pbs/prunebackups", {
      "prune-backups": "keep-last=2",
      type: "lxc",
      vmid: 101,
    });
    const newest = [...all].sort((a, b) => b.ctime - a.ctime).slice(0, 2);
    expect(
      dry
        .filter((d: { mark: string }) => d.mark === "keep")
        .map((d: { volid: string }) => d.volid)
        .sort(),
    ).toEqual(newest.map((b) => b.volid).sort());
    const pruned = await run(sim, "DELETE", "/nodes/pve/storage/pbs/prunebackups", {
      "prune-backups": "keep-last=2",
      type: "lxc",
      vmid: 101,
    });
    expect(pruned.log).toContain("running 'proxmox-backup-client prune' for 'ct/101'");
    expect((await backups("pbs", 101)).map((b: { volid: string }) => b.volid).sort()).toEqual(
      newest.map((b) => b.volid).sort(),
    );
  });

  it("restores a CT from PBS through create, with the guest's files", async () => {
    const g = sim.world.guests.get(101)!;
    mkdirSync(join(sandboxDir(sim.world, g), "srv", "data"), { recursive: true });
    writeFileSync(join(sandboxDir(sim.world, g), "srv", "data", "note.txt"), "before backup");
    const before = new Set((await backups("pbs", 101)).map((b: { volid: string }) => b.volid));
    await run(sim, "POST", "/nodes/pve/vzdump", { vmid: 101, storage: "pbs" });
    writeFileSync(join(sandboxDir(sim.world, g), "srv", "data", "note.txt"), "after backup");
    const volid = (await backups("pbs", 101)).find((b: { volid: string }) => !before.has(b.volid)).volid;
    const r = await run(sim, "POST", "/nodes/pve/lxc", {
      vmid: 150,
      ostemplate: volid,
      restore: 1,
      storage: "local-lvm",
      unique: 1,
    });
    expect(r.status).toMatchObject({ type: "vzrestore", exitstatus: "OK" });
    expect(r.log).toContain(`restoring '${volid}' now..`);
    const conf = await ok(sim, "GET", "/nodes/pve/lxc/150/config");
    expect(conf.hostname).toBe("ct101");
    expect(conf.net0).not.toBe((await ok(sim, "GET", "/nodes/pve/lxc/101/config")).net0);
    const restored = join(sandboxDir(sim.world, sim.world.guests.get(150)!), "srv", "data", "note.txt");
    expect(readFileSync(restored, "utf8")).toBe("before backup");
  });

  it("fails a restore of a damaged archive and leaves no guest and no disk", async () => {
    const [b] = await backups("pbs", 101);
    await control(sim, "POST", "/volumes/corrupt", { volid: b.volid });
    const r = await run(sim, "POST", "/nodes/pve/lxc", {
      vmid: 151,
      ostemplate: b.volid,
      restore: 1,
      storage: "local-lvm",
    });
    expect(r.status.exitstatus).toBe(
      "unable to restore CT 151 - restore failed: unable to read data blob - wrong magic number (corrupted chunk?)",
    );
    expect(sim.world.guests.has(151)).toBe(false);
    const state = await control(sim, "GET", "/state");
    const lvm = state.storages.find((s: { storage: string }) => s.storage === "local-lvm");
    expect(lvm.volumes.some((v: { vmid: number }) => v.vmid === 151)).toBe(false);
  });

  it("refuses to delete a protected backup inside the task, then deletes it once unprotected", async () => {
    const [b] = await backups("pbs", 101);
    const path = `/nodes/pve/storage/pbs/content/${encodeURIComponent(b.volid)}`;
    expect(await ok(sim, "PUT", path, { protected: 1 })).toBeNull();
    expect((await ok(sim, "GET", path)).protected).toBe(1);
    const refused = await run(sim, "DELETE", path);
    expect(refused.status.exitstatus).toMatch(
      /^removing backup snapshot ct\/101\/.* failed - backup is protected$/,
    );
    const dry = await ok(sim, "GET", "/nodes/pve/storage/pbs/prunebackups", {
      "prune-backups": "keep-last=1",
      vmid: 101,
    });
    expect(dry.find((d: { volid: string }) => d.volid === b.volid).mark).toBe("protected");
    await ok(sim, "PUT", path, { protected: 0 });
    expect((await run(sim, "DELETE", path)).status.exitstatus).toBe("OK");
    expect((await backups("pbs", 101)).map((x: { volid: string }) => x.volid)).not.toContain(b.volid);
  });

  it("fails a backup when the datastore fills up, writing nothing", async () => {
    const before = (await backups("pbs", 101)).length;
    await control(sim, "POST", "/storage/pbs/fill", { free: 0 });
    const r = await run(sim, "POST", "/nodes/pve/vzdump", { vmid: 101, storage: "pbs" });
    expect(r.status.exitstatus).toBe("job errors");
    expect(r.log.find((l) => l.startsWith("ERROR: Backup of VM 101 failed - "))).toMatch(
      /No space left on device/,
    );
    expect(await backups("pbs", 101)).toHaveLength(before);
    expect((await ok(sim, "GET", "/nodes/pve/lxc/101/status/current")).lock).toBeUndefined();
    await control(sim, "POST", "/storage/pbs/fill", { free: 100 * 2 ** 30 });
  });
});

describe("storages without snapshots", () => {
  it("puts a CT on a dir storage as a raw image and refuses to snapshot it", async () => {
    await createCt(sim, 160, { rootfs: "data:4" });
    const conf = await ok(sim, "GET", "/nodes/pve/lxc/160/config");
    expect(conf.rootfs).toMatch(/^data:160\/vm-160-disk-0\.raw,size=4G$/);
    const r = await run(sim, "POST", "/nodes/pve/lxc/160/snapshot", { snapname: "s1" });
    expect(r.status.exitstatus).toBe("snapshot feature is not available");
  });

  it("backs such a CT up in suspend mode, saying why", async () => {
    const r = await run(sim, "POST", "/nodes/pve/vzdump", {
      vmid: 160,
      storage: "local",
      mode: "snapshot",
      compress: "zstd",
    });
    expect(r.status.exitstatus).toBe("OK");
    expect(r.log).toContain("INFO: mode failure - some volumes do not support snapshots");
    expect(r.log).toContain("INFO: backup mode: suspend");
    const [b] = await backups("local", 160);
    expect(b.volid).toMatch(/^local:backup\/vzdump-lxc-160-\d{4}_\d\d_\d\d-\d\d_\d\d_\d\d\.tar\.zst$/);
    expect(b.format).toBe("tar.zst");
  });

  it("snapshots a VM disk stored as qcow2 on the same dir storage", async () => {
    await run(sim, "POST", "/nodes/pve/qemu", { vmid: 170, scsi0: "data:2,format=qcow2", name: "q" });
    const conf = await ok(sim, "GET", "/nodes/pve/qemu/170/config");
    expect(conf.scsi0).toMatch(/^data:170\/vm-170-disk-0\.qcow2/);
    expect(
      (await run(sim, "POST", "/nodes/pve/qemu/170/snapshot", { snapname: "s1" })).status.exitstatus,
    ).toBe("OK");
  });
});

describe("ZFS", () => {
  it("names CT disks subvol-… and rolls back only to the most recent snapshot", async () => {
    await createCt(sim, 180, { rootfs: "local-zfs:4" });
    const conf = await ok(sim, "GET", "/nodes/pve/lxc/180/config");
    expect(conf.rootfs).toMatch(/^local-zfs:subvol-180-disk-0,size=4G$/);
    for (const s of ["s1", "s2"]) await run(sim, "POST", "/nodes/pve/lxc/180/snapshot", { snapname: s });
    const old = await run(sim, "POST", "/nodes/pve/lxc/180/snapshot/s1/rollback");
    expect(old.status.exitstatus).toBe(
      "can't rollback, 's1' is not most recent snapshot on 'local-zfs:subvol-180-disk-0'",
    );
    expect((await ok(sim, "GET", "/nodes/pve/lxc/180/status/current")).lock).toBeUndefined();
    expect((await run(sim, "POST", "/nodes/pve/lxc/180/snapshot/s2/rollback")).status.exitstatus).toBe("OK");
    await run(sim, "DELETE", "/nodes/pve/lxc/180/snapshot/s2");
    expect((await run(sim, "POST", "/nodes/pve/lxc/180/snapshot/s1/rollback")).status.exitstatus).toBe("OK");
  });

  it("rolls an lvmthin CT back to any snapshot, its files included", async () => {
    const file = join(sandboxDir(sim.world, sim.world.guests.get(101)!), "srv", "data", "snap.txt");
    writeFileSync(file, "at a1");
    await run(sim, "POST", "/nodes/pve/lxc/101/snapshot", { snapname: "a1" });
    writeFileSync(file, "at a2");
    await run(sim, "POST", "/nodes/pve/lxc/101/snapshot", { snapname: "a2" });
    expect((await run(sim, "POST", "/nodes/pve/lxc/101/snapshot/a1/rollback")).status.exitstatus).toBe("OK");
    expect(readFileSync(file, "utf8")).toBe("at a1");
  });
});

describe("a backup and a locked guest", () => {
  it("fails a backup while a snapshot holds the lock, with PVE's text", async () => {
    await control(sim, "POST", "/faults", { taskType: "vzsnapshot", vmid: 101, action: "hang" });
    const snap = await ok(sim, "POST", "/nodes/pve/lxc/101/snapshot", { snapname: "held" });
    for (let i = 0; i < 100 && sim.world.guests.get(101)!.config.lock !== "snapshot"; i++)
      await new Promise((r) => setTimeout(r, 10));
    const r = await run(sim, "POST", "/nodes/pve/vzdump", { vmid: 101, storage: "local" });
    expect(r.status.exitstatus).toBe("job errors");
    expect(r.log).toContain("ERROR: Backup of VM 101 failed - CT is locked (snapshot)");
    await ok(sim, "DELETE", `/nodes/pve/tasks/${encodeURIComponent(snap)}`);
  });
});

describe("PVE 9 vzdump parameters", () => {
  it("refuses what 9.x dropped and accepts it on 8.4", async () => {
    const nine = await startSimulator({ auth401DelayMs: 0, ssh: false, pveVersion: "9.1.1" });
    try {
      await createCt(nine, 101);
      for (const [k, v] of [
        ["notification-policy", "always"],
        ["maxfiles", 2],
      ] as const) {
        const r = await call(nine, "POST", "/nodes/pve/vzdump", { vmid: 101, storage: "local", [k]: v });
        expect(r.status).toBe(400);
        expect(r.body.errors[k]).toMatch(/property is not defined in schema/);
      }
      const ok9 = await call(nine, "POST", "/nodes/pve/vzdump", {
        vmid: 101,
        storage: "local",
        "prune-backups": "keep-last=2",
      });
      expect(ok9.status).toBe(200);
      const eight = await call(sim, "POST", "/nodes/pve/vzdump", {
        vmid: 101,
        storage: "local",
        maxfiles: 2,
      });
      expect(eight.status).toBe(200);
    } finally {
      await nine.stop();
    }
  });
});

it("drops the copy of the guest's files with the backup volume", async () => {
  const before = new Set((await backups("local", 101)).map((b: { volid: string }) => b.volid));
  await run(sim, "POST", "/nodes/pve/vzdump", { vmid: 101, storage: "local" });
  const volid = (await backups("local", 101)).find((b: { volid: string }) => !before.has(b.volid)).volid;
  const dir = sim.world.storage("local").volumes.get(volid)!.archiveDir!;
  expect(existsSync(join(dir, "srv", "data", "note.txt"))).toBe(true);
  await run(sim, "DELETE", `/nodes/pve/storage/local/content/${encodeURIComponent(volid)}`);
  expect(existsSync(dir)).toBe(false);
});
