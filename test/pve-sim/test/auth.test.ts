import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Sim, startSimulator } from "../src/index.ts";
import { call, control, createCt } from "./client.ts";

let sim: Sim;
beforeAll(async () => {
  sim = await startSimulator({ auth401DelayMs: 0, ssh: false });
  await createCt(sim, 101);
});
afterAll(() => sim.stop());

describe("API tokens", () => {
  it("splits the header at the last '='", async () => {
    const a = await call(
      sim,
      "GET",
      "/version",
      {},
      { auth: `PVEAPIToken=${sim.token.tokenId}=${sim.token.secret}` },
    );
    expect(a.status).toBe(200);
  });

  it("answers 401 'Authentication failed!' for a bad secret, with no body", async () => {
    const a = await call(
      sim,
      "GET",
      "/version",
      {},
      { auth: `PVEAPIToken=${sim.token.tokenId}=00000000-0000-0000-0000-000000000000` },
    );
    expect(a.status).toBe(401);
    expect(a.reason).toBe("Authentication failed!");
    expect(a.raw).toBe("");
  });

  it("answers 401 'No ticket' without credentials", async () => {
    const a = await call(sim, "GET", "/nodes", {}, { auth: null });
    expect(a.status).toBe(401);
    expect(a.reason).toBe("No ticket");
  });

  it("gives a privilege-separated token 403 until ACLs grant it", async () => {
    const t = await control(sim, "POST", "/tokens", { tokenid: "root@pam!agent", privsep: true });
    const auth = `PVEAPIToken=${t.tokenid}=${t.secret}`;
    const denied = await call(sim, "GET", "/nodes/pve/lxc/101/config", {}, { auth });
    expect(denied.status).toBe(403);
    expect(denied.reason).toBe("Permission check failed (/vms/101, VM.Audit)");
    expect(denied.body.message).toBe("Permission check failed (/vms/101, VM.Audit)\n");
    const list = await call(sim, "GET", "/nodes/pve/lxc", {}, { auth });
    expect(list.body.data).toEqual([]);
    await control(sim, "PUT", "/acl", {
      path: "/vms/101",
      principal: "root@pam!agent",
      roles: ["PVEAuditor"],
    });
    const allowed = await call(sim, "GET", "/nodes/pve/lxc/101/config", {}, { auth });
    expect(allowed.status).toBe(200);
    const start = await call(sim, "POST", "/nodes/pve/lxc/101/status/start", {}, { auth });
    expect(start.status).toBe(403);
    expect(start.reason).toBe("Permission check failed (/vms/101, VM.PowerMgmt)");
  });

  it("records the token in task UPIDs and splits it off in task status", async () => {
    const t = await control(sim, "POST", "/tokens", { tokenid: "root@pam!ops", privsep: false });
    const auth = `PVEAPIToken=${t.tokenid}=${t.secret}`;
    const upid = (await call(sim, "POST", "/nodes/pve/lxc/101/snapshot", { snapname: "s1" }, { auth })).body
      .data;
    expect(upid).toMatch(/^UPID:pve:[0-9A-F]{8}:[0-9A-F]{8}:[0-9A-F]{8}:vzsnapshot:101:root@pam!ops:$/);
    const status = (await call(sim, "GET", `/nodes/pve/tasks/${upid}/status`, {}, { auth })).body.data;
    expect(status.user).toBe("root@pam");
    expect(status.tokenid).toBe("ops");
  });

  it("refuses a revoked token", async () => {
    const t = await control(sim, "POST", "/tokens", { tokenid: "root@pam!gone", privsep: false });
    await control(sim, "DELETE", `/tokens/${encodeURIComponent(t.tokenid)}`);
    const a = await call(sim, "GET", "/version", {}, { auth: `PVEAPIToken=${t.tokenid}=${t.secret}` });
    expect(a.status).toBe(401);
  });
});

describe("tickets", () => {
  it("logs in, uses the cookie for GET and needs the CSRF token for writes", async () => {
    const login = await call(
      sim,
      "POST",
      "/access/ticket",
      { username: "root@pam", password: sim.rootPassword },
      { auth: null },
    );
    expect(login.status).toBe(200);
    const { ticket, CSRFPreventionToken, username } = login.body.data;
    expect(username).toBe("root@pam");
    expect(ticket).toMatch(/^PVE:root@pam:[0-9A-F]{8}::/);
    expect(CSRFPreventionToken).toMatch(/^[0-9A-F]{8}:/);
    expect((await call(sim, "GET", "/nodes", {}, { auth: null, cookie: ticket })).status).toBe(200);
    const noCsrf = await call(
      sim,
      "PUT",
      "/nodes/pve/lxc/101/config",
      { cores: 2 },
      { auth: null, cookie: ticket },
    );
    expect(noCsrf.status).toBe(401);
    expect(noCsrf.reason).toBe("Permission denied - invalid csrf token");
    const put = await call(
      sim,
      "PUT",
      "/nodes/pve/lxc/101/config",
      { cores: 2 },
      { auth: null, cookie: ticket, csrf: CSRFPreventionToken },
    );
    expect(put.status).toBe(200);
    expect(put.body).toEqual({ data: null });
  });

  it("answers a bad password with 401 'authentication failure'", async () => {
    const a = await call(
      sim,
      "POST",
      "/access/ticket",
      { username: "root@pam", password: "wrong" },
      { auth: null },
    );
    expect(a.status).toBe(401);
    expect(a.reason).toBe("authentication failure");
  });
});

describe("401 delay", () => {
  it("waits the configured time before a 401", async () => {
    const slow = await startSimulator({ auth401DelayMs: 150, ssh: false, seed: false });
    try {
      const t0 = Date.now();
      const a = await call(slow, "GET", "/version", {}, { auth: null });
      expect(a.status).toBe(401);
      expect(Date.now() - t0).toBeGreaterThanOrEqual(140);
    } finally {
      await slow.stop();
    }
  });
});

describe("PVE 9.x mode", () => {
  it("reports the version and asks guest-agent privileges instead of VM.Monitor", async () => {
    for (const [version, expected] of [
      ["8.4.5", 500],
      ["9.0.3", 403],
    ] as const) {
      const s = await startSimulator({ auth401DelayMs: 0, ssh: false, pveVersion: version });
      try {
        expect((await call(s, "GET", "/version")).body.data.version).toBe(version);
        const t = await control(s, "POST", "/tokens", { tokenid: "root@pam!agent", privsep: true });
        await control(s, "PUT", "/acl", {
          path: "/vms",
          principal: "root@pam!agent",
          privs: ["VM.Monitor", "VM.Audit"],
        });
        const a = await call(
          s,
          "POST",
          "/nodes/pve/qemu/9000/agent/ping",
          {},
          { auth: `PVEAPIToken=${t.tokenid}=${t.secret}` },
        );
        expect(a.status).toBe(expected);
        if (expected === 403)
          expect(a.reason).toBe(
            "Permission check failed (/vms/9000, VM.GuestAgent.Audit|VM.GuestAgent.Unrestricted)",
          );
        else expect(a.reason).toBe("VM 9000 is not running");
      } finally {
        await s.stop();
      }
    }
  });
});
