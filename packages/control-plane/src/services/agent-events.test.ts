// The order in which a job's final event lands: the app and the node take the outcome before the
// job shows it, so an API client that sees the job finished reads them updated. A trigger records
// what the database held at the moment the job became final.
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { jobs } from "../db/schema/index.ts";
import { type Harness, makeHarness } from "../testing/harness.ts";
import { recordEvent } from "./agent-events.ts";
import { failJob, markOffered } from "./agent-jobs.ts";

let h: Harness;
let op: string;
let nodeId: string;

beforeAll(async () => {
  h = await makeHarness();
  op = await h.token(await h.user("operator"), ["write"]);
  nodeId = await h.node("pve1");
  await h.deps.db.$client.executeMultiple(`
    CREATE TABLE seen (job_id TEXT, app_status TEXT, apps INTEGER, inventory TEXT);
    CREATE TRIGGER job_final AFTER UPDATE OF status ON jobs
    WHEN NEW.status IN ('succeeded', 'failed', 'lost') AND OLD.status NOT IN ('succeeded', 'failed', 'lost')
    BEGIN
      INSERT INTO seen VALUES (
        NEW.id,
        (SELECT status FROM apps WHERE id = NEW.app_id),
        (SELECT count(*) FROM apps WHERE id = NEW.app_id),
        (SELECT inventory FROM nodes WHERE id = NEW.node_id)
      );
    END;
  `);
});
afterAll(() => h?.close());

async function finish(jobId: string, event: object) {
  await markOffered(h.deps, jobId);
  const [job] = await h.db.select().from(jobs).where(eq(jobs.id, jobId));
  await recordEvent(h.deps, job!.nodeId, {
    v: 1,
    type: "event",
    jobId,
    seq: job!.lastSeq + 1,
    at: h.clock.now,
    event: event as never,
  });
  const seen = await h.deps.db.$client.execute({ sql: "SELECT * FROM seen WHERE job_id = ?", args: [jobId] });
  return seen.rows[0];
}

describe("a job's final event", () => {
  it("updates the app before the job shows it failed", async () => {
    const app = await (
      await h.call("POST", "/api/v1/apps", {
        as: op,
        body: { name: "doomed", source: { type: "catalog", catalogId: "nginx" }, target: { nodeId } },
      })
    ).json();
    const seen = await finish(app.lastJobId, {
      kind: "result",
      status: "failed",
      error: { step: "create", message: "not enough space" },
    });
    expect(seen).toMatchObject({ app_status: "failed" });
  });

  it("removes a deleted app before the job shows it succeeded", async () => {
    const appId = await h.appOn(nodeId, 120);
    const del = await (await h.call("DELETE", `/api/v1/apps/${appId}`, { as: op })).json();
    expect(await finish(del.lastJobId, { kind: "result", status: "succeeded" })).toMatchObject({ apps: 0 });
  });

  it("stores a node's inventory before the job shows it succeeded", async () => {
    const job = await (await h.call("POST", `/api/v1/nodes/${nodeId}/inventory`, { as: op })).json();
    const inventory = {
      pveVersion: "8.4.5",
      node: { cpu: 0.1, cpus: 4, memTotal: 8e9, memUsed: 2e9, uptime: 100 },
      guests: [],
      storages: [],
      templates: [],
    };
    const seen = await finish(job.id, { kind: "result", status: "succeeded", result: inventory });
    expect(JSON.parse(String(seen?.inventory))).toMatchObject({ pveVersion: "8.4.5" });
  });
});

describe("a job the control plane ends itself", () => {
  it("updates the app before the job shows it lost, and leaves a job that ended otherwise as it is", async () => {
    const node2 = await h.node("pve2");
    const app = await (
      await h.call("POST", "/api/v1/apps", {
        as: op,
        body: { name: "orphan", source: { type: "catalog", catalogId: "nginx" }, target: { nodeId: node2 } },
      })
    ).json();
    await markOffered(h.deps, app.lastJobId);
    await failJob(h.deps, node2, app.lastJobId, "lost", "the agent was replaced mid-job");
    const seen = await h.deps.db.$client.execute({
      sql: "SELECT * FROM seen WHERE job_id = ?",
      args: [app.lastJobId],
    });
    expect(seen.rows[0]).toMatchObject({ app_status: "failed" });
    const [job] = await h.db.select().from(jobs).where(eq(jobs.id, app.lastJobId));
    expect(job).toMatchObject({ status: "lost", error: "the agent was replaced mid-job" });
    // Ending it again changes nothing: the job and the app keep the first outcome.
    await failJob(h.deps, node2, app.lastJobId, "failed", "later");
    const [again] = await h.db.select().from(jobs).where(eq(jobs.id, app.lastJobId));
    expect(again).toMatchObject({ status: "lost", error: "the agent was replaced mid-job" });
  });
});
