import { describe, expect, it } from "vitest";
import { jsonLogger } from "./logger.ts";

describe("logger", () => {
  it("writes JSON lines and hides secret-looking fields at any depth", () => {
    const lines: string[] = [];
    const log = jsonLogger((l) => lines.push(l), { service: "test" });
    log.info("hello", {
      user: "a",
      password: "p4ss",
      nested: { apiToken: "pyl_x", ok: 1 },
      list: [{ secret: "s" }],
    });
    log.info("again", { password: "p4ss" });
    const first = JSON.parse(lines[0]!);
    expect(first).toMatchObject({
      level: "info",
      msg: "hello",
      service: "test",
      user: "a",
      password: "[redacted]",
    });
    expect(first.nested).toEqual({ apiToken: "[redacted]", ok: 1 });
    expect(first.list).toEqual([{ secret: "[redacted]" }]);
    expect(lines.join("\n")).not.toMatch(/p4ss|pyl_x/);
  });
});
