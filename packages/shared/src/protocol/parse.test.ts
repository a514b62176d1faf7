import { describe, expect, it } from "vitest";
import { agentHeartbeatFrame, encodeFrame, parseAgentFrame, parseServerFrame } from "./index.ts";

describe("wire protocol parsing", () => {
  it("accepts a valid frame and returns it typed", () => {
    const r = parseAgentFrame(encodeFrame({ type: "accept", jobId: "job_1" }));
    expect(r).toEqual({ ok: true, frame: { v: 1, type: "accept", jobId: "job_1" } });
  });

  it("rejects non-JSON, unknown types, wrong versions and bad fields with a reason", () => {
    expect(parseAgentFrame("{nope")).toMatchObject({ ok: false, error: { code: "invalid_frame" } });
    expect(parseAgentFrame(JSON.stringify({ v: 1, type: "launch_missiles" }))).toMatchObject({
      ok: false,
      error: { code: "invalid_frame" },
    });
    expect(parseAgentFrame(JSON.stringify({ v: 2, type: "accept", jobId: "x" }))).toMatchObject({
      ok: false,
      error: { code: "unsupported_version" },
    });
    const bad = parseAgentFrame(
      JSON.stringify({
        v: 1,
        type: "event",
        jobId: "j",
        seq: 0,
        at: 1,
        event: { kind: "log", level: "info", message: "x" },
      }),
    );
    expect(bad).toMatchObject({
      ok: false,
      error: { code: "invalid_frame", message: expect.stringMatching(/^seq/) },
    });
  });

  it("names the job of an invalid frame that names one, so the refusal can be about it", () => {
    const r = parseAgentFrame(JSON.stringify({ v: 1, type: "event", jobId: "job_9", seq: -1 }));
    expect(r).toMatchObject({ ok: false, error: { code: "invalid_frame", jobId: "job_9" } });
    expect(parseAgentFrame(JSON.stringify({ v: 1, type: "nope" }))).toEqual({
      ok: false,
      error: { code: "invalid_frame", message: expect.any(String) },
    });
  });

  it("carries an optional job and retry flag on error frames; older frames still parse", () => {
    const plain = parseServerFrame(encodeFrame({ type: "error", code: "internal", message: "x" }));
    expect(plain).toEqual({ ok: true, frame: { v: 1, type: "error", code: "internal", message: "x" } });
    const about = parseServerFrame(
      encodeFrame({ type: "error", code: "internal", message: "x", jobId: "job_1", retry: true }),
    );
    expect(about).toMatchObject({ ok: true, frame: { jobId: "job_1", retry: true } });
  });

  it("keeps the two directions apart", () => {
    expect(
      parseServerFrame(
        encodeFrame({
          type: "hello",
          agentVersion: "1",
          nodeName: "pve",
          pveVersion: null,
          capabilities: [],
          jobs: [],
        }),
      ).ok,
    ).toBe(false);
    expect(parseServerFrame(encodeFrame({ type: "ack", jobId: "j", seq: 3 })).ok).toBe(true);
  });

  it("carries guest figures on the heartbeat, bounded, and stays optional", () => {
    const guest = {
      vmid: 101,
      status: "running",
      cpu: 0.25,
      cpus: 2,
      mem: 256e6,
      maxmem: 512e6,
      disk: 1e9,
      maxdisk: 8e9,
      netin: 1200,
      netout: 800,
      uptime: 60,
    };
    const r = parseAgentFrame(encodeFrame({ type: "heartbeat", at: 1, guests: [guest] }));
    expect(r).toEqual({ ok: true, frame: { v: 1, type: "heartbeat", at: 1, guests: [guest] } });
    // Old agents send no guests.
    expect(parseAgentFrame(encodeFrame({ type: "heartbeat", at: 1 }))).toMatchObject({ ok: true });
    const many = JSON.stringify({ v: 1, type: "heartbeat", at: 1, guests: Array(1001).fill(guest) });
    expect(parseAgentFrame(many)).toMatchObject({ ok: false, error: { code: "invalid_frame" } });
    expect(
      parseAgentFrame(JSON.stringify({ v: 1, type: "heartbeat", at: 1, guests: [{ ...guest, vmid: "x" }] })),
    ).toMatchObject({ ok: false });
    // A control plane that predates `guests` strips it (zod objects drop unknown keys).
    const before = agentHeartbeatFrame.omit({ guests: true });
    expect(before.parse({ v: 1, type: "heartbeat", at: 1, guests: [guest] })).toEqual({
      v: 1,
      type: "heartbeat",
      at: 1,
    });
  });
});
