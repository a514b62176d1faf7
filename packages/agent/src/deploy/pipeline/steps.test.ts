import type { StepFacts } from "@pylon/shared/protocol/index";
import { expect, it } from "vitest";
import type { JobContext } from "../../jobs/types.ts";
import { runSteps, type Step } from "./steps.ts";

type Ev = { step: string; status: string; facts?: StepFacts };

/** A job context that records step events and keeps checkpoints in memory. */
function recordingCtx(): { ctx: JobContext; events: Ev[] } {
  const events: Ev[] = [];
  const ctx = {
    jobId: "job_1",
    signal: new AbortController().signal,
    resumed: false,
    checkpoints: new Map(),
    nodeName: "pve",
    pve: {} as JobContext["pve"],
    log: async () => {},
    progress: async () => {},
    step: async (step: string, status: string, _m?: string, facts?: StepFacts) => {
      events.push(facts ? { step, status, facts } : { step, status });
    },
    checkpoint: async () => {},
  } as JobContext;
  return { ctx, events };
}

type Run = { ctx: JobContext; state: { vmid: number | null; address: string | null } };

const steps = (failAt: string | null): Step<Run>[] => [
  {
    name: "reserve",
    run: async (r) => {
      r.state.vmid = 120;
      return "VMID 120";
    },
    undo: async () => {},
  },
  { name: "start", run: async () => "running" },
  {
    name: "address",
    run: async (r) => {
      r.state.address = "10.0.0.20";
      return undefined;
    },
  },
  {
    name: "fetch",
    run: async () => {
      if (failAt === "fetch") throw new Error("git clone exited 128");
      return "ok";
    },
  },
];

it("sends what the run learnt with the step that learnt it, once", async () => {
  const { ctx, events } = recordingCtx();
  const run: Run = { ctx, state: { vmid: null, address: null } };
  await runSteps(ctx, "t", steps(null), run, [], undefined, (r) => ({ ...r.state }));
  expect(events.filter((e) => e.facts)).toEqual([
    { step: "reserve", status: "succeeded", facts: { vmid: 120, address: null } },
    { step: "address", status: "succeeded", facts: { vmid: 120, address: "10.0.0.20" } },
  ]);
});

it("after a failure reports every step done as undone, also those with nothing of their own to undo", async () => {
  const { ctx, events } = recordingCtx();
  const run: Run = { ctx, state: { vmid: null, address: null } };
  await expect(runSteps(ctx, "t", steps("fetch"), run)).rejects.toThrow(/fetch failed: git clone exited 128/);
  const last = new Map(events.map((e) => [e.step, e.status]));
  expect(Object.fromEntries(last)).toEqual({
    reserve: "undone",
    start: "undone",
    address: "undone",
    // The failing step has no undo: it stays failed.
    fetch: "failed",
  });
  expect(events.slice(-3).map((e) => e.step)).toEqual(["address", "start", "reserve"]);
});
