import { describe, expect, it } from "vitest";
import { liveOutput, MAX_LIVE_LINES } from "./live-output.ts";

function recorder() {
  const lines: string[] = [];
  return { lines, ctx: { log: async (_level: string, message: string) => void lines.push(message) } };
}

describe("live command output in the job log", () => {
  it("logs whole lines as they arrive, joining chunks and splitting progress lines", async () => {
    const { lines, ctx } = recorder();
    const out = liveOutput(ctx, "docker build", []);
    out.onOutput("stdout", Buffer.from("Step 1/3 : FROM no"));
    out.onOutput("stdout", Buffer.from("de:22\nStep 2/3"));
    out.onOutput("stderr", Buffer.from("10%\r50%\r100%\n"));
    await out.done();
    expect(lines).toEqual([
      "docker build: Step 1/3 : FROM node:22",
      "docker build: 10%",
      "docker build: 50%",
      "docker build: 100%",
      "docker build: Step 2/3",
    ]);
  });

  it("masks the app's secret values, longest first", async () => {
    const { lines, ctx } = recorder();
    const out = liveOutput(ctx, "git clone", ["hunter2-long-secret", "hunter2"]);
    out.onOutput("stdout", Buffer.from("token=hunter2-long-secret and hunter2\n"));
    await out.done();
    expect(lines).toEqual(["git clone: token=•••••• and ••••••"]);
    expect(lines.join()).not.toContain("hunter2");
  });

  it("shows at most MAX_LIVE_LINES lines of one command and says the rest was cut", async () => {
    const { lines, ctx } = recorder();
    const out = liveOutput(ctx, "apt-get install", []);
    out.onOutput("stdout", Buffer.from("x\n".repeat(MAX_LIVE_LINES + 50)));
    await out.done();
    expect(lines).toHaveLength(MAX_LIVE_LINES);
    expect(lines.at(-1)).toBe("apt-get install: further output not shown");
  });
});
