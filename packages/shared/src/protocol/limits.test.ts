import { describe, expect, it } from "vitest";
import { frameJobId, jsonBytes, MAX_FRAME_BYTES, utf8Length } from "./limits.ts";
import { encodeFrame } from "./parse.ts";

describe("frame size helpers", () => {
  it("counts UTF-8 bytes as Buffer does, surrogate pairs and lone surrogates included", () => {
    for (const s of ["", "abc", "é", "€", "😀", "a\u0001b", "\ud800x", "x\udc00", "ß😀€a"])
      expect(utf8Length(s), JSON.stringify(s)).toBe(Buffer.byteLength(s));
  });

  it("counts a string's JSON escapes: a control character costs six bytes", () => {
    const controls = "\u0001".repeat(1000);
    expect(controls.length).toBe(1000);
    expect(jsonBytes(controls)).toBe(6002);
    expect(jsonBytes({ a: "é" })).toBe(Buffer.byteLength(JSON.stringify({ a: "é" })));
  });

  it("reads the job a frame names from its beginning, even past the frame limit", () => {
    const huge = encodeFrame({
      type: "event",
      jobId: "job_abc-1",
      seq: 1,
      at: 1,
      event: { kind: "log", level: "info", message: "\u0001".repeat(MAX_FRAME_BYTES) },
    });
    expect(frameJobId(huge)).toBe("job_abc-1");
    expect(frameJobId('{"v":1,"type":"heartbeat"}')).toBeUndefined();
    expect(frameJobId('{"jobId":"a\\"b"}')).toBeUndefined();
  });
});
