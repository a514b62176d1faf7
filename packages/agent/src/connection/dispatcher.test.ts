import { encodeFrame } from "@pylon/shared/protocol/index";
import { describe, expect, it } from "vitest";
import type { OutgoingFrame } from "../jobs/runner.ts";
import { createLogger } from "../log.ts";
import { createDispatcher, type FrameHandlers } from "./dispatcher.ts";

function setup() {
  const seen: string[] = [];
  const sent: OutgoingFrame[] = [];
  const logs: string[] = [];
  const record = (name: string) => () => {
    seen.push(name);
  };
  const handlers: FrameHandlers = {
    welcome: record("welcome"),
    heartbeat: record("heartbeat"),
    offer: record("offer"),
    cancel: record("cancel"),
    ack: record("ack"),
    status: record("status"),
    rotate: record("rotate"),
    update: record("update"),
    error: record("error"),
    schedules: record("schedules"),
  };
  const d = createDispatcher(
    handlers,
    createLogger("debug", (l) => {
      logs.push(l);
    }),
    (f) => {
      sent.push(f);
      return true;
    },
  );
  return { d, seen, sent, logs };
}

describe("dispatcher", () => {
  it("routes each valid server frame to its handler", () => {
    const { d, seen, sent } = setup();
    d.dispatch(
      encodeFrame({ type: "welcome", nodeId: "n", serverTime: 1, heartbeatMs: 15_000, maxConcurrentJobs: 2 }),
    );
    d.dispatch(encodeFrame({ type: "ack", jobId: "j", seq: 1 }));
    d.dispatch(encodeFrame({ type: "offer", jobId: "j", kind: "node.inventory", params: {}, attempt: 1 }));
    d.dispatch(encodeFrame({ type: "rotate", credentialId: "c", credential: "x" }));
    expect(seen).toEqual(["welcome", "ack", "offer", "rotate"]);
    expect(sent).toEqual([]);
  });

  it("answers invalid frames with an error frame, logs each problem once, never routes them", () => {
    const { d, seen, sent, logs } = setup();
    for (let i = 0; i < 5; i++) d.dispatch(JSON.stringify({ v: 1, type: "ack", jobId: "j", seq: 0 }));
    d.dispatch("{");
    d.dispatch(JSON.stringify({ v: 9, type: "ack", jobId: "j", seq: 1 }));
    d.dispatch(
      JSON.stringify({
        v: 1,
        type: "hello",
        agentVersion: "1",
        nodeName: "x",
        pveVersion: null,
        capabilities: [],
        jobs: [],
      }),
    );
    expect(seen).toEqual([]);
    expect(sent).toHaveLength(8);
    expect(sent[0]).toMatchObject({
      type: "error",
      code: "invalid_frame",
      message: expect.stringMatching(/^seq/),
    });
    expect(sent[6]).toMatchObject({ type: "error", code: "unsupported_version" });
    expect(logs.filter((l) => l.includes("invalid frame"))).toHaveLength(4);
    expect(d.suppressed).toBe(4);
  });
});
