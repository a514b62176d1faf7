import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Sim } from "@pylon/pve-sim";
import { inventorySchema } from "@pylon/shared/protocol/index";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { Journal } from "../journal/journal.ts";
import { silentLogger } from "../log.ts";
import { addFault, clientFor, createCt, createVm, simCall, startTestSim } from "../testing/sim.ts";
import { JobRunner, type OutgoingFrame } from "./runner.ts";

type Sent = OutgoingFrame;
let sim: Sim;
let dir: string;
let journal: Journal;
let sent: Sent[];
let runner: JobRunner;

beforeAll(async () => {
  sim = await startTestSim();
  await createCt(sim, 101);
  await createVm(sim, 200);
}, 60_000);
afterAll(() => sim?.stop());

async function makeRunner(max = 4): Promise<JobRunner> {
  journal = await Journal.open(dir, { log: silentLogger });
  return new JobRunner({
    journal,
    pve: clientFor(sim),
    nodeName: sim.node,
    log: silentLogger,
    send: (f) => {
      sent.push(f);
      return true;
    },
    maxConcurrentJobs: max,
  });
}

beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "pylon-runner-"));
  sent = [];
  runner = await makeRunner();
});
afterEach(async () => {
  await runner.stop(0);
  await journal.close().catch(() => {});
  await rm(dir, { recursive: true, force: true });
});

const offer = (jobId: string, kind: "node.inventory" | "guest.power", params: unknown) =>
  ({ v: 1, type: "offer", jobId, kind, params, attempt: 1 }) as const;

async function resultOf(jobId: string) {
  for (let i = 0; i < 2000; i++) {
    for (const f of sent)
      if (f.type === "event" && f.jobId === jobId && f.event.kind === "result") return f.event;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`no result for ${jobId}`);
}
const eventsOf = (jobId: string) => sent.filter((f) => f.type === "event" && f.jobId === jobId);

describe("JobRunner", () => {
  it("node.inventory: accept after journaling, numbered events, an inventory matching the schema", async () => {
    await runner.offer(offer("inv_1", "node.inventory", {}));
    expect(sent[0]).toEqual({ type: "accept", jobId: "inv_1" });
    expect(journal.get("inv_1")).toBeDefined();
    const result = await resultOf("inv_1");
    expect(result.status).toBe("succeeded");
    const inv = inventorySchema.parse(result.kind === "result" ? result.result : undefined);
    expect(inv.pveVersion).toBe("8.4.5");
    expect(inv.guests.map((g) => `${g.type}/${g.vmid}`)).toEqual(["lxc/101", "qemu/200", "qemu/9000"]);
    expect(inv.guests.find((g) => g.vmid === 9000)?.template).toBe(true);
    expect(inv.storages.map((s) => s.storage).sort()).toEqual(["local", "local-lvm"]);
    expect(inv.templates[0]?.volid).toMatch(/vztmpl\/debian-12/);
    const seqs = eventsOf("inv_1").map((f) => (f.type === "event" ? f.seq : 0));
    expect(seqs).toEqual(seqs.map((_, i) => i + 1));
  });

  it("a job offered twice runs once; the duplicate is accepted and its unacked events resent", async () => {
    await Promise.all([
      runner.offer(offer("pw_1", "guest.power", { vmid: 101, type: "lxc", action: "start" })),
      runner.offer(offer("pw_1", "guest.power", { vmid: 101, type: "lxc", action: "start" })),
    ]);
    expect(sent.filter((f) => f.type === "accept")).toHaveLength(2);
    expect((await resultOf("pw_1")).status).toBe("succeeded");
    const before = eventsOf("pw_1").length;
    await runner.offer(offer("pw_1", "guest.power", { vmid: 101, type: "lxc", action: "start" }));
    // Resent, not rerun: the same seqs again and no second start (which would fail "already running").
    const again = eventsOf("pw_1").slice(before);
    expect(again.map((f) => (f.type === "event" ? f.seq : 0))).toEqual(
      eventsOf("pw_1")
        .slice(0, before)
        .map((f) => (f.type === "event" ? f.seq : 0)),
    );
    const tasks = await simCall(sim, "GET", `/nodes/${sim.node}/tasks`, { vmid: 101, typefilter: "vzstart" });
    expect(Array.isArray(tasks) && tasks.length).toBe(1);
    // After the ack the outbox is empty, so a further duplicate resends nothing.
    runner.ack("pw_1", 99);
    const n = sent.length;
    await runner.offer(offer("pw_1", "guest.power", { vmid: 101, type: "lxc", action: "start" }));
    expect(sent.slice(n)).toEqual([{ type: "accept", jobId: "pw_1" }]);
  });

  it("reports Proxmox's refusal as the failed result, with the step", async () => {
    await runner.offer(offer("pw_2", "guest.power", { vmid: 101, type: "lxc", action: "start" }));
    const r = await resultOf("pw_2");
    expect(r).toMatchObject({
      status: "failed",
      error: { message: "CT 101 already running", step: "request" },
    });
    await runner.offer(offer("pw_3", "guest.power", { vmid: 200, type: "qemu", action: "reboot" }));
    expect(await resultOf("pw_3")).toMatchObject({
      status: "failed",
      error: { message: "VM 200 not running" },
    });
    await runner.offer(offer("pw_4", "guest.power", { vmid: 200, type: "qemu", action: "start" }));
    expect(await resultOf("pw_4")).toMatchObject({
      status: "succeeded",
      result: { vmid: 200, exitstatus: "OK" },
    });
    // QEMU refuses a second start inside the task, not before it.
    await runner.offer(offer("pw_5", "guest.power", { vmid: 200, type: "qemu", action: "start" }));
    expect(await resultOf("pw_5")).toMatchObject({
      status: "failed",
      error: { message: "VM 200 already running", step: "task" },
    });
    for (const [id, action] of [
      ["pw_6", "shutdown"],
      ["pw_7", "stop"],
    ] as const) {
      await runner.offer(offer(id, "guest.power", { vmid: 101, type: "lxc", action }));
      expect((await resultOf(id)).status).toBe(id === "pw_6" ? "succeeded" : "failed");
    }
  });

  it("rejects invalid params, and offers over the concurrency limit, with reasons", async () => {
    await runner.offer(offer("bad_1", "guest.power", { vmid: 5, type: "lxc", action: "start" }));
    expect(sent.at(-1)).toMatchObject({ type: "reject", jobId: "bad_1", reason: "invalid_params" });
    expect(journal.get("bad_1")).toBeUndefined();
    runner.setServerLimit(1);
    await addFault(sim, { taskType: "vzstart", action: "hang" });
    await runner.offer(offer("hang_1", "guest.power", { vmid: 101, type: "lxc", action: "start" }));
    await runner.offer(offer("busy_1", "node.inventory", {}));
    expect(sent.at(-1)).toMatchObject({ type: "reject", jobId: "busy_1", reason: "busy" });
    // cancel: the wait stops, the result says cancelled and names the task left running.
    await waitForCheckpoint("hang_1");
    runner.cancel("hang_1");
    expect(await resultOf("hang_1")).toMatchObject({
      status: "cancelled",
      error: { message: expect.stringMatching(/^stopped waiting for Proxmox task UPID:.*not stopped$/) },
    });
    const upid = journal.get("hang_1")?.checkpoints.get("task");
    await simCall(sim, "DELETE", `/nodes/${sim.node}/tasks/${(upid as { upid: string }).upid}`);
  });

  it("after a restart mid-task, waits on the recorded UPID again and reports how the task ended", async () => {
    await addFault(sim, { taskType: "vzstart", action: "hang" });
    await runner.offer(offer("rs_1", "guest.power", { vmid: 101, type: "lxc", action: "start" }));
    const { upid } = (await waitForCheckpoint("rs_1")) as { upid: string };
    // The agent stops (or dies) while the task runs: nothing is reported, the journal keeps it.
    await runner.stop(0);
    await journal.close();
    expect(eventsOf("rs_1").some((f) => f.type === "event" && f.event.kind === "result")).toBe(false);

    sent = [];
    runner = await makeRunner();
    expect(runner.heldJobs()).toContainEqual({
      jobId: "rs_1",
      state: "running",
      lastSeq: expect.any(Number),
    });
    runner.recover();
    await new Promise((r) => setTimeout(r, 100));
    await simCall(sim, "DELETE", `/nodes/${sim.node}/tasks/${upid}`);
    const r = await resultOf("rs_1");
    expect(r).toMatchObject({ status: "failed", error: { step: "task" } });
    expect(
      eventsOf("rs_1").some(
        (f) => f.type === "event" && f.event.kind === "log" && /restarted/.test(f.event.message),
      ),
    ).toBe(true);
  });

  it("after a restart between request and UPID, fails with a clear reason unless the guest is already there", async () => {
    await journal.accept("rs_2", "guest.power", { vmid: 101, type: "lxc", action: "reboot" }, 1);
    await journal.checkpoint("rs_2", "request", { at: 1 });
    await journal.accept("rs_3", "guest.power", { vmid: 200, type: "qemu", action: "start" }, 1);
    await journal.checkpoint("rs_3", "request", { at: 1 });
    runner.recover();
    expect(await resultOf("rs_2")).toMatchObject({
      status: "failed",
      error: {
        message: expect.stringMatching(/agent restarted while the reboot request for CT 101.*unknown/),
      },
    });
    expect(await resultOf("rs_3")).toMatchObject({
      status: "succeeded",
      result: { status: "running", upid: null },
    });
  });

  it("after a restart that lost the journal key, fails a deploy holding secrets and asks for a redeploy", async () => {
    const params = {
      appId: "app_1",
      name: "wiki",
      mode: "create",
      guest: { type: "lxc", cores: 1, memoryMb: 512, diskGb: 4, storage: "local-lvm", bridge: "vmbr0" },
      source: { type: "compose", compose: "services: {}\n" },
      env: {},
      http: { port: 8080, path: "/", timeoutSeconds: 5 },
      route: null,
      secrets: { TOKEN: "never-in-clear-7" },
    };
    await journal.accept("rs_4", "app.deploy", params, 1);
    await runner.stop(0);
    await journal.close();
    await rm(join(dir, "journal.key"));
    sent = [];
    runner = await makeRunner();
    runner.recover();
    const r = await resultOf("rs_4");
    expect(r).toMatchObject({
      status: "failed",
      error: { message: expect.stringMatching(/secrets could not be read back.*journal key.*redeploy/) },
    });
    expect(JSON.stringify(r)).not.toContain("never-in-clear-7");
  });

  it("answers status: absent for unknown jobs, resends for held ones", async () => {
    runner.status("nope");
    expect(sent.at(-1)).toEqual({ type: "absent", jobId: "nope" });
    await runner.offer(offer("st_1", "node.inventory", {}));
    await resultOf("st_1");
    const n = sent.length;
    runner.status("st_1");
    expect(sent.slice(n).every((f) => f.type === "event" && f.jobId === "st_1")).toBe(true);
    expect(sent.length).toBeGreaterThan(n);
  });

  it("stops and drops a job the control plane refused for good; nothing of it is sent again", async () => {
    await addFault(sim, { taskType: "vzstart", action: "hang" });
    await runner.offer(offer("ref_1", "guest.power", { vmid: 101, type: "lxc", action: "start" }));
    const { upid } = (await waitForCheckpoint("ref_1")) as { upid: string };
    await runner.refused("ref_1", "job ref_1: output limit of 16 MiB exceeded; the job has failed");
    expect(journal.get("ref_1")).toBeUndefined();
    expect(journal.isDone("ref_1")).toBe(true);
    for (let i = 0; i < 200 && runner.runningCount > 0; i++) await new Promise((r) => setTimeout(r, 10));
    expect(runner.runningCount).toBe(0);
    // Its handler stopped (as on a cancel) and its result did not go out.
    const before = eventsOf("ref_1").length;
    expect(eventsOf("ref_1").some((f) => f.type === "event" && f.event.kind === "result")).toBe(false);
    runner.resendAll();
    runner.status("ref_1");
    expect(eventsOf("ref_1")).toHaveLength(before);
    // A late duplicate offer is not run again, and a restarted agent does not hold it.
    await runner.offer(offer("ref_1", "guest.power", { vmid: 101, type: "lxc", action: "start" }));
    expect(runner.runningCount).toBe(0);
    await runner.stop(0);
    await journal.close();
    runner = await makeRunner();
    expect(runner.heldJobs().map((j) => j.jobId)).not.toContain("ref_1");
    await simCall(sim, "DELETE", `/nodes/${sim.node}/tasks/${upid}`);
  });

  it("sends a job's accept and unacknowledged events again after a pause when asked to retry", async () => {
    await addFault(sim, { taskType: "vzstart", action: "hang" });
    await runner.offer(offer("rt_1", "guest.power", { vmid: 101, type: "lxc", action: "start" }));
    const { upid } = (await waitForCheckpoint("rt_1")) as { upid: string };
    const sentBefore = sent.length;
    const unacked = journal.get("rt_1")?.outbox.length ?? 0;
    expect(unacked).toBeGreaterThan(0);
    // Many refusals (events out of order behind one that failed) make one resend.
    for (let i = 0; i < 5; i++) runner.retryLater("rt_1");
    const accepts = () => sent.slice(sentBefore).filter((f) => f.type === "accept" && f.jobId === "rt_1");
    expect(accepts()).toEqual([]);
    for (let i = 0; i < 500 && accepts().length === 0; i++) await new Promise((r) => setTimeout(r, 10));
    await new Promise((r) => setTimeout(r, 200));
    const again = sent.slice(sentBefore).filter((f) => "jobId" in f && f.jobId === "rt_1");
    const accept = again.findIndex((f) => f.type === "accept");
    expect(again.filter((f) => f.type === "accept")).toHaveLength(1);
    // After the accept, the outbox from its first event, in order.
    const seqs = again.slice(accept + 1).map((f) => (f.type === "event" ? f.seq : 0));
    expect(seqs.slice(0, unacked)).toEqual(Array.from({ length: unacked }, (_, i) => i + 1));
    runner.cancel("rt_1");
    await resultOf("rt_1");
    await simCall(sim, "DELETE", `/nodes/${sim.node}/tasks/${upid}`);
  });

  it("stops taking offers while stopping", async () => {
    await runner.stop(0);
    await runner.offer(offer("late_1", "node.inventory", {}));
    expect(sent.at(-1)).toMatchObject({ type: "reject", reason: "shutting_down" });
  });
});

async function waitForCheckpoint(jobId: string): Promise<unknown> {
  for (let i = 0; i < 2000; i++) {
    const c = journal.get(jobId)?.checkpoints.get("task");
    if (c) return c;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error("no task checkpoint");
}

describe("JobRunner cancel races", () => {
  it("a cancel that arrives while the offer is being journaled stops the job before it acts", async () => {
    const offered = runner.offer(offer("race_1", "guest.power", { vmid: 200, type: "qemu", action: "stop" }));
    runner.cancel("race_1");
    await offered;
    expect(await resultOf("race_1")).toMatchObject({
      status: "cancelled",
      error: { message: "cancelled before it started" },
    });
    expect(journal.get("race_1")?.checkpoints.has("request")).toBe(false);
  });

  it("runs at most two of the node's scheduled runs at once; the others wait their turn, then run", async () => {
    await Promise.all([createCt(sim, 111), createCt(sim, 112), createCt(sim, 113)]);
    await addFault(sim, { taskType: "vzstart", action: "delay", ms: 1500, times: 3 });
    const origin = (n: number) => ({
      scheduleId: `sch_${n}`,
      appId: `app_${n}`,
      schedule: "backup",
      scheduledAt: 1_000 * n,
      missed: false,
    });
    for (const vmid of [111, 112, 113])
      expect(
        await runner.runScheduled(
          `run_${vmid}`,
          "guest.power",
          { vmid, type: "lxc", action: "start" },
          origin(vmid),
        ),
      ).toBe(true);
    // Each run is announced at once; the third waits and says why.
    expect(sent.filter((f) => f.type === "run").map((f) => (f as { jobId: string }).jobId)).toEqual([
      "run_111",
      "run_112",
      "run_113",
    ]);
    const started = (id: string) => eventsOf(id).some((f) => f.type === "event" && f.event.kind === "step");
    await expect.poll(() => started("run_111") && started("run_112")).toBe(true);
    expect(started("run_113")).toBe(false);
    expect(eventsOf("run_113")).toEqual([
      expect.objectContaining({
        event: expect.objectContaining({
          kind: "log",
          message: expect.stringMatching(/waiting for a free slot/),
        }),
      }),
    ]);
    for (const id of ["run_111", "run_112", "run_113"]) expect((await resultOf(id)).status).toBe("succeeded");
  });
});
