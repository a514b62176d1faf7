// A scheduled run's failed result, stored from the agent's link, is announced once.
import { encodeFrame, parseServerFrame } from "@pylon/shared";
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, expect, it, vi } from "vitest";
import { type NodeRow, nodes } from "../db/schema/index.ts";
import * as notifications from "../services/notifications.ts";
import { type Harness, makeHarness } from "../testing/harness.ts";
import { AgentSession } from "./agent-session.ts";

let h: Harness;
beforeAll(async () => {
  h = await makeHarness();
});
afterAll(() => h.close());

it("announces a missed run's result when it is first stored, not on a resend", async () => {
  const spy = vi.spyOn(notifications, "notify").mockImplementation(() => {});
  const nodeId = await h.node("pve-s");
  const appId = await h.appOn(nodeId, 150, "late");
  const [node] = await h.db.select().from(nodes).where(eq(nodes.id, nodeId));
  const session = new AgentSession(
    { send: (t) => void parseServerFrame(t), close: () => {} },
    node as NodeRow,
    {
      deps: h.deps,
      instanceId: "cp_t",
      heartbeatMs: 1000,
      maxConcurrentJobs: 4,
      maxJobOutputBytes: 1024 * 1024,
      noteMetrics() {},
    },
  );
  const send = (f: object) => session.receive(encodeFrame(f as Parameters<typeof encodeFrame>[0]));
  await send({
    type: "hello",
    agentVersion: "t",
    nodeName: "pve-s",
    pveVersion: null,
    capabilities: [],
    jobs: [],
  });
  const jobId = "run_schqz1";
  const run = {
    type: "run",
    jobId,
    scheduleId: "sch_q",
    appId,
    schedule: "backup",
    kind: "app.backup",
    params: { appId, vmid: 150, type: "lxc", storage: "local", notes: "n", retention: null },
    scheduledAt: 1000,
    missed: true,
  };
  const result = {
    type: "event",
    jobId,
    seq: 1,
    at: 2000,
    event: {
      kind: "result",
      status: "failed",
      error: { message: "the agent was not running at the scheduled time" },
    },
  };
  await send(run);
  await send(result);
  await send(run);
  await send(result);
  expect(spy.mock.calls.map((c) => c[1].event)).toEqual(["schedule.missed"]);
  spy.mockRestore();
});
