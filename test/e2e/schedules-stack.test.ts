// Schedules that live on the node (issue 12), end to end: the real agent process runs an app's
// backup schedule against the simulator while the control plane is stopped; every run arrives
// exactly once when it is back. An agent killed across a scheduled time reports that run missed.
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type AppStack, caddyInstalled, startAppStack } from "./support/app-stack.ts";
import { jobFinished, until } from "./support/stack.ts";

let stack: AppStack;
/** A local webhook receiver: the failure notices the control plane sends. */
let receiver: Server;
const notices: Record<string, unknown>[] = [];

beforeAll(async () => {
  receiver = createServer((req, res) => {
    let body = "";
    req.on("data", (d) => (body += d));
    req.on("end", () => {
      notices.push(JSON.parse(body));
      res.writeHead(204).end();
    });
  });
  await new Promise<void>((r) => receiver.listen(0, "127.0.0.1", r));
  if (caddyInstalled()) stack = await startAppStack();
}, 90_000);
afterAll(async () => {
  await stack?.stop();
  receiver.closeAllConnections();
  await new Promise((r) => receiver.close(r));
});

const api = (method: string, path: string, body?: unknown) => stack.api.call(method, path, body);
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

interface Run {
  id: string;
  status: string;
  scheduledAt: string;
  jobId: string | null;
  error: string | null;
}
const runsOf = async (appId: string): Promise<Run[]> =>
  (await api("GET", `/api/v1/apps/${appId}/schedules`)).json.runs;
/** The scheduled backups on the simulator's storage (vzdump notes carry "scheduled"). */
const scheduledVolumes = (vmid: number) =>
  [...stack.sim.world.storage("local").volumes.values()]
    .filter((v) => v.vmid === vmid && (v.notes ?? "").includes("scheduled"))
    .map((v) => v.volid);

describe.skipIf(!caddyInstalled())("schedules on the node", { timeout: 180_000 }, () => {
  let app: { id: string; guest: { vmid: number } };
  let scheduleId: string;

  it("runs while the control plane is stopped; each run's result arrives exactly once", async () => {
    const res = await api("POST", "/api/v1/apps", {
      name: "cron",
      source: { type: "catalog", catalogId: "nginx", parameters: {} },
      target: { nodeId: stack.nodeId, type: "lxc" },
    });
    expect(res.status, JSON.stringify(res.json)).toBe(202);
    expect((await jobFinished(stack.api, res.json.lastJobId, 60_000)).status).toBe("succeeded");
    app = (await api("GET", `/api/v1/apps/${res.json.id}`)).json;

    const bad = await api("POST", `/api/v1/apps/${app.id}/schedules`, {
      kind: "backup",
      cron: "*/3 * * 13 *",
    });
    expect(bad.status).toBe(400);
    expect(bad.json.error.message).toContain("'*/3 * * 13 *' is not a valid cron expression");
    const made = await api("POST", `/api/v1/apps/${app.id}/schedules`, {
      kind: "backup",
      cron: "*/3 * * * * *",
    });
    expect(made.status, JSON.stringify(made.json)).toBe(201);
    expect(made.json.nextRuns).toHaveLength(3);
    scheduleId = made.json.id;
    await until(
      async () => (await runsOf(app.id)).some((r) => r.status === "succeeded"),
      30_000,
      "a first scheduled backup",
    );

    let downFrom = 0;
    let downTo = 0;
    let madeWhileDown = 0;
    await stack.restartServer(async () => {
      downFrom = Date.now();
      const before = scheduledVolumes(app.guest.vmid).length;
      await sleep(10_000);
      madeWhileDown = scheduledVolumes(app.guest.vmid).length - before;
      downTo = Date.now();
    });
    // The node made backups on its own while Pylon was down (every 3 s for 10 s).
    expect(madeWhileDown).toBeGreaterThanOrEqual(2);
    // Stop the schedule (pushed once the agent is back), then let every held run arrive.
    expect(
      (await api("PATCH", `/api/v1/apps/${app.id}/schedules/${scheduleId}`, { enabled: false })).status,
    ).toBe(200);
    await until(
      async () => {
        const n = (await api("GET", `/api/v1/nodes/${stack.nodeId}`)).json;
        return n.status === "online";
      },
      60_000,
      "the agent to reconnect",
    );
    await sleep(4000);
    await until(
      async () => {
        const runs = await runsOf(app.id);
        return (
          runs.every((r) => r.status !== "running") && runs.length === scheduledVolumes(app.guest.vmid).length
        );
      },
      60_000,
      "every scheduled run to arrive",
    );
    const runs = await runsOf(app.id);
    expect(runs.map((r) => r.status).filter((s) => s !== "succeeded")).toEqual([]);
    expect(new Set(runs.map((r) => r.id)).size).toBe(runs.length);
    const whileDown = runs.filter((r) => {
      const t = Date.parse(r.scheduledAt);
      return t > downFrom && t < downTo;
    });
    expect(whileDown.length).toBeGreaterThanOrEqual(2);
    // Exactly once: one backup row per volume on the storage, one result per run's job.
    const backups = (await api("GET", `/api/v1/apps/${app.id}/backups`)).json.items as {
      volid: string;
      status: string;
    }[];
    const listed = backups.filter((b) => b.status === "ok").map((b) => b.volid);
    expect(listed.sort()).toEqual(scheduledVolumes(app.guest.vmid).sort());
    for (const r of whileDown) {
      const events = (await api("GET", `/api/v1/jobs/${r.jobId}/events?limit=1000`)).json.items as {
        seq: number;
        event: { kind: string };
      }[];
      expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
      expect(events.filter((e) => e.event.kind === "result")).toHaveLength(1);
    }
  });

  it("reports a run missed when the agent was killed across its scheduled time, and does not run it late", async () => {
    const hook = `http://127.0.0.1:${(receiver.address() as AddressInfo).port}/ntfy/pylon-topic`;
    expect((await api("PUT", "/api/v1/settings/notifications", { webhookUrl: hook })).status).toBe(200);
    expect(
      (await api("PATCH", `/api/v1/apps/${app.id}/schedules/${scheduleId}`, { enabled: true })).status,
    ).toBe(200);
    const before = (await runsOf(app.id)).length;
    await until(async () => (await runsOf(app.id)).length > before, 30_000, "the schedule to run again");
    await stack.agent.stop("SIGKILL");
    const downFrom = Date.now();
    await sleep(7000);
    const downTo = Date.now();
    await stack.restartAgent();
    await until(
      async () => (await runsOf(app.id)).some((r) => r.status === "missed"),
      60_000,
      "the missed runs to be reported",
    );
    const runs = await runsOf(app.id);
    const inWindow = runs.filter((r) => {
      const t = Date.parse(r.scheduledAt);
      return t > downFrom + 1000 && t < downTo;
    });
    expect(inWindow.length).toBeGreaterThanOrEqual(1);
    expect(inWindow.map((r) => r.status)).toEqual(inWindow.map(() => "missed"));
    expect(inWindow[0]?.error).toMatch(/not running at the scheduled time/);
    // Missed runs are recorded, never run late: no backup of any of those times was made after the start.
    expect(inWindow.every((r) => r.jobId === null)).toBe(true);
    await api("DELETE", `/api/v1/apps/${app.id}/schedules/${scheduleId}`);
    // The missed runs were announced through the webhook, as ntfy, Discord and Slack read it.
    await until(
      async () => notices.some((n) => n.event === "schedule.missed"),
      30_000,
      "a missed-run notice",
    );
    expect(notices.find((n) => n.event === "schedule.missed")).toMatchObject({
      app: "cron",
      node: stack.sim.node,
      title: "Scheduled backup of cron missed",
      text: expect.stringContaining("not running at the scheduled time"),
      content: expect.stringContaining("missed"),
    });
  });
});
