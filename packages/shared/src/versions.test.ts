import { describe, expect, it } from "vitest";
import { atLeast, compareVersions, newest } from "./versions.ts";

describe("version order", () => {
  it("picks the newest CT template by version, not by letters (12.12 beats 12.7)", () => {
    const names = [
      "local:vztmpl/debian-12-standard_12.7-1_amd64.tar.zst",
      "local:vztmpl/debian-12-standard_12.12-1_amd64.tar.zst",
      "local:vztmpl/debian-12-standard_12.2-1_amd64.tar.zst",
    ];
    expect(newest(names)).toBe("local:vztmpl/debian-12-standard_12.12-1_amd64.tar.zst");
    expect(newest([])).toBeUndefined();
  });

  it("compares PVE and agent versions", () => {
    expect(atLeast("8.2.4", "8.2")).toBe(true);
    expect(atLeast("8.1.10", "8.2")).toBe(false);
    expect(atLeast("9.0.10", "8.2")).toBe(true);
    expect(compareVersions("0.10.0", "0.9.3")).toBe(1);
    expect(compareVersions("1.0.0", "1.0.0")).toBe(0);
  });
});
