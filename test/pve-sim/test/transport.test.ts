import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Sim, startSimulator } from "../src/index.ts";
import { call } from "./client.ts";

let sim: Sim;
beforeAll(async () => {
  sim = await startSimulator({ auth401DelayMs: 0, ssh: false });
});
afterAll(() => sim.stop());

describe("wire format", () => {
  it("answers with the exact content type, server header and data envelope", async () => {
    const a = await call(sim, "GET", "/version");
    expect(a.status).toBe(200);
    expect(a.headers["content-type"]).toBe("application/json;charset=UTF-8");
    expect(a.headers.server).toBe("pve-api-daemon/3.0");
    expect(a.body.data.version).toMatch(/^8\.4/);
  });

  it("puts the first line of the error in the reason phrase and the text in message", async () => {
    const a = await call(sim, "GET", "/nodes/pve/lxc/999/config");
    expect(a.status).toBe(500);
    expect(a.reason).toBe("Configuration file 'nodes/pve/lxc/999.conf' does not exist");
    expect(a.body).toEqual({
      data: null,
      message: "Configuration file 'nodes/pve/lxc/999.conf' does not exist\n",
    });
  });

  it("answers 501 for paths outside the schema and for schema paths it does not simulate", async () => {
    const a = await call(sim, "GET", "/nodes/pve/bogus");
    expect(a.status).toBe(501);
    expect(a.reason).toBe("Method 'GET /nodes/pve/bogus' not implemented");
    const b = await call(sim, "GET", "/cluster/ha/groups", {}, { auth: undefined, cookie: undefined });
    expect(b.status).toBe(501);
    expect(b.reason).toBe("Method 'GET /cluster/ha/groups' not implemented");
  });

  it("gzips bodies above 1 KiB when the client accepts it", async () => {
    const a = await call(
      sim,
      "GET",
      "/nodes/pve/rrddata",
      { timeframe: "hour" },
      { headers: { "Accept-Encoding": "gzip" } },
    );
    expect(a.headers["content-encoding"]).toBe("gzip");
  });

  it("refuses other body types, oversized bodies and unknown methods like pve-http-server", async () => {
    const xml = await call(
      sim,
      "POST",
      "/nodes/pve/lxc",
      {},
      { headers: { "Content-Type": "text/xml", "Content-Length": "3" } },
    );
    expect(xml.status).toBe(506);
    expect(xml.reason).toBe("upload 'Content-Type 'text/xml' not implemented");
    const big = await call(sim, "POST", "/nodes/pve/lxc", { description: "x".repeat(70 * 1024) });
    expect(big.status).toBe(501);
    expect(big.reason).toBe("for data too large");
    const patch = await call(sim, "PATCH", "/version");
    expect(patch.status).toBe(501);
    expect(patch.reason).toBe("method 'PATCH' not available");
  });

  it("returns nextid as a string", async () => {
    const a = await call(sim, "GET", "/cluster/nextid");
    expect(a.body.data).toBe("100");
  });

  it("accepts JSON bodies as well as form bodies", async () => {
    const a = await call(sim, "POST", "/nodes/pve/lxc", { vmid: "abc", ostemplate: "x" }, { json: true });
    expect(a.status).toBe(400);
    expect(a.body.errors.vmid).toBe("type check ('integer') failed - got 'abc'");
  });
});

describe("legacy error body", () => {
  it("omits message before PVE 8.3", async () => {
    const old = await startSimulator({ auth401DelayMs: 0, ssh: false, legacyErrorBody: true });
    try {
      const a = await call(old, "GET", "/nodes/pve/lxc/999/config");
      expect(a.status).toBe(500);
      expect(a.body).toEqual({ data: null });
      expect(a.reason).toBe("Configuration file 'nodes/pve/lxc/999.conf' does not exist");
    } finally {
      await old.stop();
    }
  });
});
