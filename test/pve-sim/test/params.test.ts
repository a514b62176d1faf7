import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Sim, startSimulator } from "../src/index.ts";
import { perlRegex } from "../src/schema/validate.ts";
import { call, TEMPLATE } from "./client.ts";

let sim: Sim;
beforeAll(async () => {
  sim = await startSimulator({ auth401DelayMs: 0, ssh: false });
});
afterAll(() => sim.stop());

async function errors(method: string, path: string, params: Record<string, unknown>) {
  const a = await call(sim, method, path, params);
  expect(a.status).toBe(400);
  expect(a.reason).toBe("Parameter verification failed.");
  expect(a.body.message).toBe("Parameter verification failed.\n");
  return a.body.errors as Record<string, string>;
}

describe("parameter verification from the schema", () => {
  it("reports missing and unknown properties", async () => {
    const e = await errors("POST", "/nodes/pve/lxc", { hostname: "x", frobnicate: 1 });
    expect(e.vmid).toBe("property is missing and it is not optional");
    expect(e.ostemplate).toBe("property is missing and it is not optional");
    expect(e.frobnicate).toBe(
      "property is not defined in schema and the schema does not allow additional properties",
    );
  });

  it("checks types, ranges, enums and lengths", async () => {
    const e = await errors("POST", "/nodes/pve/lxc", {
      vmid: 99,
      ostemplate: TEMPLATE,
      cores: "two",
      memory: 1,
      cmode: "nope",
      unprivileged: "yes",
      password: "abc",
    });
    // The format check comes first in JSONSchema.pm, so a two-digit id fails there.
    expect(e.vmid).toBe("invalid format - value does not look like a valid VM ID\n");
    expect(e.cores).toBe("type check ('integer') failed - got 'two'");
    expect(e.memory).toBe("value must have a minimum value of 16");
    expect(e.cmode).toBe("value 'nope' does not have a value in the enumeration 'shell, console, tty'");
    expect(e.unprivileged).toBe("type check ('boolean') failed - got 'yes'");
    expect(e.password).toBe("value must be at least 5 characters long");
  });

  it("checks named formats with PVE's texts (newline kept)", async () => {
    const e = await errors("POST", "/nodes/pve/lxc", {
      vmid: 101,
      ostemplate: TEMPLATE,
      hostname: "bad_name!",
      storage: "1x",
    });
    expect(e.hostname).toBe("invalid format - value does not look like a valid DNS name\n");
    expect(e.storage).toBe("invalid format - storage ID '1x' contains illegal characters\n");
  });

  it("checks property strings sub-key by sub-key, including default keys", async () => {
    const e = await errors("POST", "/nodes/pve/lxc", {
      vmid: 101,
      ostemplate: TEMPLATE,
      net0: "name=eth0,bridge=vmbr0,ip=300.1.1.1/24",
      net1: "name=eth1,colour=blue",
      features: "nesting=maybe",
    });
    expect(e.net0).toBe(
      "invalid format - format error\nnet0.ip: invalid format - value does not look like a valid ipv4 network configuration\n\n",
    );
    expect(e.net1).toBe("invalid format - invalid key in comma-separated list property: colour\n");
    expect(e.features).toBe(
      "invalid format - format error\nfeatures.nesting: type check ('boolean') failed - got 'maybe'\n",
    );
    const ok = await call(sim, "POST", "/nodes/pve/lxc", {
      vmid: 150,
      ostemplate: TEMPLATE,
      rootfs: "local-lvm:8",
    });
    expect(ok.status).toBe(200);
  });

  it("checks regex patterns", async () => {
    const e = await errors("POST", "/nodes/pve/lxc", {
      vmid: 101,
      ostemplate: TEMPLATE,
      net0: "name=eth0,bridge=vm br0",
    });
    expect(e.net0).toContain("net0.bridge: value does not match the regex pattern");
  });

  it("requires urlencoded sshkeys on QEMU", async () => {
    const e = await errors("PUT", "/nodes/pve/qemu/9000/config", { sshkeys: "ssh-ed25519 AAAA user@host" });
    expect(e.sshkeys).toBe("invalid format - invalid urlencoded string: ssh-ed25519 AAAA user@host\n");
  });

  it("takes repeated keys as an array and refuses URI parameters in the body", async () => {
    const dup = await call(sim, "GET", "/nodes/pve/lxc", { node: "pve" });
    expect(dup.status).toBe(400);
    expect(dup.body.errors.node).toBe("duplicate parameter (already defined in URI)");
  });

  it("translates Perl (?^:…) groups", () => {
    const re = perlRegex("(?^:(?^:(discard|noatime))(;(?^:(discard|noatime)))*)");
    expect(re.test("discard;noatime")).toBe(true);
    expect(re.test("discard;bogus")).toBe(false);
    expect(perlRegex("(?^i:[a-z]+)").test("ABC")).toBe(true);
  });

  it("answers an unknown node like a failed proxy lookup", async () => {
    const a = await call(sim, "GET", "/nodes/other/lxc");
    expect(a.status).toBe(500);
    expect(a.reason).toBe(
      "hostname lookup 'other' failed - failed to get address info for: other: Name or service not known",
    );
  });
});
