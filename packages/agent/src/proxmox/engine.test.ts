import { describe, expect, it } from "vitest";
import { encodeParams } from "./engine.ts";

describe("encodeParams", () => {
  it("encodes like pve-http-server reads: 0/1 booleans, repeated keys, nothing for null/undefined", () => {
    expect(
      encodeParams({
        start: true,
        force: false,
        vmid: 101,
        command: ["ls", "-la"],
        skip: undefined,
        none: null,
      }),
    ).toBe("start=1&force=0&vmid=101&command=ls&command=-la");
    expect(encodeParams({ net0: "name=eth0,bridge=vmbr0,ip=dhcp" })).toBe(
      "net0=name%3Deth0%2Cbridge%3Dvmbr0%2Cip%3Ddhcp",
    );
    expect(encodeParams(undefined)).toBe("");
  });
});
