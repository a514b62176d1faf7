import { expect, it } from "vitest";
import { formatBytes, formatDuration, formatPercent } from "./format.ts";

it("formats sizes, ratios and durations for people", () => {
  expect(formatBytes(512)).toBe("512 B");
  expect(formatBytes(1.5 * 1024 ** 3)).toBe("1.5 GiB");
  expect(formatBytes(200 * 1024 ** 2)).toBe("200 MiB");
  expect(formatPercent(0.423)).toBe("42 %");
  expect(formatDuration(42)).toBe("42 s");
  expect(formatDuration(3 * 86400 + 4 * 3600 + 5)).toBe("3 d 4 h");
  expect(formatDuration(2 * 3600 + 5 * 60)).toBe("2 h 5 min");
});
