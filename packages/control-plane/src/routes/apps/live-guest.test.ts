// An app shows its guest while its deploy runs: the agent's step events carry what the deploy
// learnt (guest id, address), and a failed first deploy forgets them again.
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, expect, it } from "vitest";
import { jobs } from "../../db/schema/index.ts";
import { recordEvent } from "../../services/agent-events.ts";
import { markAccepted, markOffered } from "../../services/agent-jobs.ts";
import { type Harness, makeHarness } from "../../testing/harness.ts";

let h: Harness;
let op: string;
let nodeId: string;
const GiB = 1024 ** 3;

beforeAll(async () => {
  h = await makeHarness();
  op = await h.token(await h.user("operator"), ["write"]);
  nodeId = await h.node("pve-live", {
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

/** The agent sends the job's next event. */
async function agentSends(jobId: string, event: object) {
  const [job] = await h.db.select().from(jobs).where(eq(jobs.id, jobId));
  await recordEvent(h.deps, nodeId, {
    v: 1,
    type: "event",
    jobId,
    seq: job!.lastSeq + 1,
    at: h.clock.now,
    event: event as never,
  });
}

const getApp = async (id: string) => (await h.call("GET", `/api/v1/apps/${id}`, { as: op })).json();

it("shows the guest id and address as the deploy learns them, and forgets them when it fails", async () => {
  const created = await (
    await h.call("POST", "/api/v1/apps", {
      as: op,
      body: { name: "live", source: { type: "catalog", catalogId: "nginx" }, target: { nodeId } },
    })
  ).json();
  const jobId = created.lastJobId;
  await markOffered(h.deps, jobId);
  await markAccepted(h.deps, nodeId, jobId);
  await agentSends(jobId, { kind: "step", step: "reserve", status: "started" });
  expect((await getApp(created.id)).guest).toEqual({ type: "lxc", vmid: null, address: null });
  await agentSends(jobId, {
    kind: "step",
    step: "reserve",
    status: "succeeded",
    message: "VMID 131",
    facts: { vmid: 131, address: null },
  });
  expect(await getApp(created.id)).toMatchObject({
    status: "deploying",
    guest: { vmid: 131, address: null },
  });
  await agentSends(jobId, {
    kind: "step",
    step: "address",
    status: "succeeded",
    facts: { vmid: 131, address: "10.0.0.31" },
  });
  expect((await getApp(created.id)).guest).toEqual({ type: "lxc", vmid: 131, address: "10.0.0.31" });

  await agentSends(jobId, {
    kind: "result",
    status: "failed",
    result: { undone: true },
    error: { step: "fetch", message: "git clone exited 128" },
  });
  const failed = await getApp(created.id);
  expect(failed).toMatchObject({ status: "failed", guest: { vmid: null, address: null }, url: null });

  // A retry is a fresh create, as before any guest was shown.
  const retry = await h.call("POST", `/api/v1/apps/${created.id}/actions`, {
    as: op,
    body: { action: "redeploy" },
  });
  expect(retry.status).toBe(202);
  const [again] = await h.db
    .select()
    .from(jobs)
    .where(eq(jobs.id, (await retry.json()).lastJobId));
  expect(again?.params).toMatchObject({ mode: "create" });
});

it("ignores facts from a job that is no longer the app's latest", async () => {
  const created = await (
    await h.call("POST", "/api/v1/apps", {
      as: op,
      body: { name: "stale", source: { type: "catalog", catalogId: "nginx" }, target: { nodeId } },
    })
  ).json();
  await markOffered(h.deps, created.lastJobId);
  await markAccepted(h.deps, nodeId, created.lastJobId);
  await h.call("POST", `/api/v1/jobs/${created.lastJobId}/cancel`, { as: op });
  await agentSends(created.lastJobId, { kind: "result", status: "cancelled", result: { undone: true } });
  const retry = await (
    await h.call("POST", `/api/v1/apps/${created.id}/actions`, { as: op, body: { action: "redeploy" } })
  ).json();
  expect(retry.lastJobId).not.toBe(created.lastJobId);
  // A late event of the old job (e.g. resent after a reconnect) changes nothing.
  await agentSends(created.lastJobId, {
    kind: "step",
    step: "reserve",
    status: "succeeded",
    facts: { vmid: 999 },
  });
  expect((await getApp(created.id)).guest.vmid).toBeNull();
});
