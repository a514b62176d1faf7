import { describe, expect, it } from "vitest";
import { neighbourAddress } from "./address.ts";

describe("a VM's address from the host's neighbour table", () => {
  const table = [
    { dst: "192.168.1.1", lladdr: "aa:bb:cc:00:00:01", state: ["REACHABLE"] },
    { dst: "fe80::be24:11ff:fe00:2328", lladdr: "bc:24:11:00:23:28", state: ["STALE"] },
    { dst: "192.168.1.57", lladdr: "BC:24:11:00:23:28", state: ["STALE"] },
    { dst: "192.168.1.99", lladdr: "bc:24:11:00:23:28", state: ["FAILED"] },
  ];
  it("takes the live IPv4 entry of the VM's MAC, not a failed one or another MAC's", () => {
    expect(neighbourAddress(table, "bc:24:11:00:23:28")).toBe("192.168.1.57");
    expect(neighbourAddress(table.slice(3), "bc:24:11:00:23:28")).toBeNull();
    expect(neighbourAddress([], "bc:24:11:00:23:28")).toBeNull();
  });
});
