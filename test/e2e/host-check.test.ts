// The node page's host check, end to end: an agent whose token has exactly the privileges the
// installer grants on PVE 8 (made with the simulator's pveum, as agent.sh does); the host is
// upgraded in place to PVE 9 (VM.Monitor gone, VM.GuestAgent.Audit needed); the node shows what
// is missing and the one command that fixes it; running that command clears it.
import { execFile } from "node:child_process";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import type { Sim } from "@pylon/pve-sim";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { scriptPrivileges } from "../../packages/agent/src/install/testing.ts";
import { type Client, type RunningServer, scratchDir } from "./support/server.ts";
import {
  AGENT_ENTRY,
  type AgentProcess,
  adminClient,
  controlPlane,
  simulator,
  startAgent,
  until,
} from "./support/stack.ts";

const run = promisify(execFile);
let sim: Sim;
let server: RunningServer;
let api: Client;
let agent: AgentProcess;
let nodeId: string;
const dir = scratchDir();

const pveum = (...args: string[]) =>
  run(join(sim.pctBinDir, "pveum"), args, { env: { ...process.env, ...sim.env } });

beforeAll(async () => {
  sim = await simulator(0);
  server = await controlPlane(dir.dir);
  api = await adminClient(server.url);
  await pveum("user", "add", "pylon@pve");
  await pveum("role", "add", "PylonAgent", "--privs", scriptPrivileges()["8"].join(","));
  await pveum("acl", "modify", "/", "--users", "pylon@pve", "--roles", "PylonAgent");
  const token = JSON.parse(
    (await pveum("user", "token", "add", "pylon@pve", "agent", "--privsep", "0", "--output-format", "json"))
      .stdout,
  ) as { value: string };
  writeFileSync(join(dir.dir, "pve-token"), `${token.value}\n`, { mode: 0o600 });
  const created = await api.call("POST", "/api/v1/nodes", { name: sim.node });
  nodeId = created.json.node.id;
  const config = join(dir.dir, "agent.json");
  await run(process.execPath, [
    AGENT_ENTRY,
    "enroll",
    "--url",
    server.url,
    "--token",
    created.json.enrollment.token,
    "--config",
    config,
    "--node-name",
    sim.node,
    "--pve-url",
    sim.apiUrl.replace(/\/api2\/json$/, ""),
    "--pve-token-id",
    "pylon@pve!agent",
    "--pve-token-secret-file",
    join(dir.dir, "pve-token"),
    "--pve-ca-file",
    sim.caCertPath,
  ]);
  agent = startAgent(config, join(dir.dir, "state"), sim, { PYLON_AGENT_HOST_CHECK_MS: "300" });
}, 60_000);
afterAll(async () => {
  await agent?.stop();
  await server?.stop();
  await sim?.stop();
  dir.cleanup();
});

const hostCheck = async () => (await api.call("GET", `/api/v1/nodes/${nodeId}`)).json.hostCheck;

describe("host check on the node", () => {
  it("shows what an in-place upgrade to PVE 9 leaves missing, with the command that fixes it", async () => {
    const fresh = await until(hostCheck, 30_000, "the first host check").catch((e) => {
      throw new Error(`${e}\n${agent.output().slice(-3000)}`);
    });
    expect(fresh).toMatchObject({ pveVersion: "8.4.5", missingPrivileges: [], problems: [], fix: null });

    await fetch(`${sim.controlUrl}/version`, {
      method: "PUT",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ version: "9.0.10" }),
    });
    const upgraded = await until(
      async () => {
        const c = await hostCheck();
        return c?.missingPrivileges.length ? c : null;
      },
      30_000,
      "the upgrade to show",
    );
    expect(upgraded.pveVersion).toBe("9.0.10");
    expect(upgraded.missingPrivileges).toEqual(["VM.GuestAgent.Audit"]);
    const node = (await api.call("GET", `/api/v1/nodes/${nodeId}`)).json;
    expect(node.pveVersion).toBe("9.0.10");

    // The fix as shown, through a shell as an admin would paste it.
    const fix: string = upgraded.fix;
    await run("sh", ["-c", fix.replace(/^pveum /, `${join(sim.pctBinDir, "pveum")} `)], {
      env: { ...process.env, ...sim.env },
    });
    await until(async () => (await hostCheck())?.missingPrivileges.length === 0, 30_000, "the fix to show");
  });
});
