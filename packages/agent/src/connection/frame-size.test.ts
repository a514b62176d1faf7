import { encodeFrame, jsonBytes, MAX_FRAME_BYTES, utf8Length } from "@pylon/shared/protocol/index";
import { describe, expect, it } from "vitest";
import { jobEventSchema } from "../journal/records.ts";
import { fitEvent, fitHeldJobs, fitText, MAX_EVENT_BYTES } from "./frame-size.ts";

/** The event frame as the control plane receives it, in bytes. */
const frameBytes = (event: unknown) =>
  utf8Length(
    encodeFrame({
      type: "event",
      jobId: `job_${"x".repeat(60)}`,
      seq: 2 ** 40,
      at: Date.now(),
      event: event as never,
    }),
  );

describe("cutting frames to the link's limit", () => {
  it("cuts a text to its encoded budget with a visible marker, control characters counted as six bytes", () => {
    const text = `start${"\u0001".repeat(300_000)}end`;
    expect(jsonBytes(text)).toBeGreaterThan(MAX_FRAME_BYTES);
    const cut = fitText(text, 100_000);
    expect(jsonBytes(cut)).toBeLessThanOrEqual(100_000);
    expect(jsonBytes(cut)).toBeGreaterThan(99_000);
    expect(cut.startsWith("start")).toBe(true);
    expect(cut).toMatch(/\n… \[\d+ bytes cut to fit the agent link's 1 MiB frame limit\]$/);
    expect(fitText("short", 100)).toBe("short");
  });

  it("never splits a surrogate pair", () => {
    const cut = fitText("😀".repeat(1000), 500, () => "…");
    expect(cut.endsWith("…")).toBe(true);
    expect(cut.slice(0, -1)).toBe("😀".repeat((cut.length - 1) / 2));
  });

  it("fits a diagnostics result full of control characters into one frame, keeping its start", () => {
    const output = `$ docker logs web\n${"\u001b[31merror\u0007".repeat(60_000)}`;
    const result = { kind: "result" as const, status: "succeeded" as const, result: { output } };
    expect(frameBytes(result)).toBeGreaterThan(MAX_FRAME_BYTES);
    const fitted = fitEvent(result);
    expect(frameBytes(fitted)).toBeLessThanOrEqual(MAX_FRAME_BYTES);
    expect(fitted).toMatchObject({ kind: "result", status: "succeeded" });
    const kept = (fitted as { result: { output: string } }).result.output;
    expect(kept.startsWith("$ docker logs web\n")).toBe(true);
    expect(kept).toMatch(/bytes cut to fit/);
    expect(jobEventSchema.safeParse(fitted).success).toBe(true);
    // The original is not changed; an event that fits comes back as it is.
    expect(result.result.output).toBe(output);
    const small = { kind: "log" as const, level: "info" as const, message: "\u0001".repeat(16_000) };
    expect(fitEvent(small)).toBe(small);
  });

  it("turns a result of many small parts that cannot be cut into a failed result saying why", () => {
    const lines = Array.from({ length: 200_000 }, (_, i) => `line ${i}`);
    const fitted = fitEvent({ kind: "result", status: "succeeded", result: { lines } });
    expect(fitted).toMatchObject({
      kind: "result",
      status: "failed",
      error: {
        message: expect.stringMatching(
          /result \(\d+ bytes encoded\) is over the agent link's 1 MiB frame limit/,
        ),
      },
    });
    expect(jsonBytes(fitted)).toBeLessThan(MAX_EVENT_BYTES);
  });

  it("keeps hello's job list under the limit, running jobs first", () => {
    const jobs = Array.from({ length: 10_000 }, (_, i) => ({
      jobId: `job_${String(i).padStart(60, "0")}`,
      state: i % 2 === 0 ? ("finished" as const) : ("running" as const),
      lastSeq: 123_456,
    }));
    const kept = fitHeldJobs(jobs);
    expect(kept.length).toBeLessThan(jobs.length);
    expect(jsonBytes(kept)).toBeLessThan(MAX_FRAME_BYTES - 4096);
    expect(kept.filter((j) => j.state === "running")).toHaveLength(5000);
    expect(fitHeldJobs(jobs.slice(0, 3))).toHaveLength(3);
  });
});
