import { describe, expect, it } from "vitest";
import { hostPort, net0Address, net0Of } from "./address.ts";

const lo = { name: "lo", mac: "00:00:00:00:00:00", v4: ["127.0.0.1"], v6: ["::1"] };
const docker0 = { name: "docker0", mac: "02:42:7a:11:3c:01", v4: ["172.17.0.1"], v6: [] };
const bridge = { name: "br-3f2a9c1d0b7e", mac: "02:42:51:aa:10:02", v4: ["172.18.0.1"], v6: [] };
const veth = { name: "veth1c2d3e4", mac: "02:42:99:00:11:22", v4: [], v6: ["fe80::42:99ff:fe00:1122"] };

describe("net0's address among a guest's interfaces", () => {
  const net0 = net0Of("lxc", { net0: "name=eth0,bridge=vmbr0,hwaddr=BC:24:11:5E:7A:01,ip=dhcp,type=veth" });

  it("reads net0's name and MAC from CT and VM configs", () => {
    expect(net0).toEqual({ name: "eth0", mac: "bc:24:11:5e:7a:01" });
    expect(net0Of("qemu", { net0: "virtio=BC:24:11:00:23:28,bridge=vmbr0" })).toEqual({
      mac: "bc:24:11:00:23:28",
    });
  });

  it("takes eth0's IPv4, whatever Docker added around it", () => {
    const eth0 = {
      name: "eth0",
      mac: "bc:24:11:5e:7a:01",
      v4: ["192.168.1.57"],
      v6: ["fe80::be24:11ff:fe5e:7a01"],
    };
    expect(net0Address([lo, docker0, bridge, veth, eth0], net0)).toBe("192.168.1.57");
  });

  it("has no address while DHCP has not answered, even though docker0 has one", () => {
    const eth0 = { name: "eth0", mac: "bc:24:11:5e:7a:01", v4: [], v6: ["fe80::be24:11ff:fe5e:7a01"] };
    expect(net0Address([lo, eth0, docker0, bridge, veth], net0)).toBeNull();
  });

  it("takes a global IPv6 when net0 has no IPv4, never a link-local one", () => {
    const eth0 = {
      name: "eth0",
      mac: "bc:24:11:5e:7a:01",
      v4: [],
      v6: ["fe80::be24:11ff:fe5e:7a01", "2001:db8:10::57"],
    };
    expect(net0Address([lo, eth0, docker0], net0)).toBe("2001:db8:10::57");
    expect(hostPort("2001:db8:10::57", 8080)).toBe("[2001:db8:10::57]:8080");
    expect(hostPort("10.0.0.5", 8080)).toBe("10.0.0.5:8080");
  });

  it("finds a VM's NIC by MAC (the guest names it ens18, not eth0)", () => {
    const ens18 = { name: "ens18", mac: "BC:24:11:00:23:28", v4: ["10.0.0.5"], v6: [] };
    expect(net0Address([lo, docker0, ens18], { mac: "bc:24:11:00:23:28" })).toBe("10.0.0.5");
    expect(net0Address([lo, docker0], { mac: "bc:24:11:00:23:28" })).toBeNull();
  });
});
