import { PassThrough } from "node:stream";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Sim, startSimulator } from "../src/index.ts";
import { runPct } from "../src/shell/pct.ts";
import { call, control, createCt, ok, run } from "./client.ts";

// What the agent meets on other PVE versions: the 8.0/8.1 gaps and PVE 9's privilege changes.
let sim: Sim;

async function pct(argv: string[]): Promise<{ code: number; err: string }> {
  const stdin = new PassThrough();
  stdin.end();
  const stderr = new PassThrough();
  let err = "";
  stderr.on("data", (d) => (err += d));
  const code = await runPct(sim.world, argv, { stdin, stdout: new PassThrough(), stderr });
  return { code, err };
}

beforeAll(async () => {
  sim = await startSimulator({ auth401DelayMs: 0, ssh: false });
  await createCt(sim, 101);
  await run(sim, "POST", "/nodes/pve/lxc/101/status/start");
});
afterAll(() => sim.stop());

describe("PVE 8.0 and 8.1", () => {
  it("8.0 has no CT interfaces call; 8.1 has no pct exec --keep-env", async () => {
    await control(sim, "PUT", "/version", { version: "8.0.4" });
    const r = await call(sim, "GET", "/nodes/pve/lxc/101/interfaces");
    expect([r.status, r.reason]).toEqual([
      501,
      "Method 'GET /nodes/{node}/lxc/{vmid}/interfaces' not implemented",
    ]);
    await control(sim, "PUT", "/version", { version: "8.1.4" });
    expect((await call(sim, "GET", "/nodes/pve/lxc/101/interfaces")).status).toBe(200);
    const keep = await pct(["exec", "101", "--keep-env", "0", "--", "true"]);
    expect([keep.code, keep.err.split("\n")[0]]).toEqual([255, "Unknown option: keep-env"]);
    expect((await pct(["exec", "101", "--", "true"])).code).toBe(0);
    await control(sim, "PUT", "/version", { version: "8.4.5" });
    expect((await pct(["exec", "101", "--keep-env", "0", "--", "true"])).code).toBe(0);
  });
});

describe("effective permissions", () => {
  it("GET /access/permissions shows a token's privileges; after an upgrade to 9 VM.Monitor is gone", async () => {
    sim.world.auth.roles.set("Pylon", ["VM.Audit", "Sys.Audit", "VM.Monitor"]);
    sim.world.auth.users.add("pylon@pve");
    const t = sim.world.auth.addToken("pylon@pve!agent", false);
    sim.world.auth.acl.push({ path: "/", principal: "pylon@pve", roles: ["Pylon"], propagate: true });
    const auth = `PVEAPIToken=pylon@pve!agent=${t.secret}`;
    const perms = await ok(sim, "GET", "/access/permissions", { path: "/" }, { auth });
    expect(Object.keys(perms["/"]).sort()).toEqual(["Sys.Audit", "VM.Audit", "VM.Monitor"]);
    await control(sim, "PUT", "/version", { version: "9.0.10" });
    try {
      expect((await ok(sim, "GET", "/version")).version).toBe("9.0.10");
      const nine = await ok(sim, "GET", "/access/permissions", { path: "/" }, { auth });
      expect(Object.keys(nine["/"]).sort()).toEqual(["Sys.Audit", "VM.Audit"]);
    } finally {
      await control(sim, "PUT", "/version", { version: "8.4.5" });
    }
  });
});
