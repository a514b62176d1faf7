import { type ChildProcess, execFile, spawn } from "node:child_process";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import type { Sim } from "@pylon/pve-sim";
import type { AgentFrame } from "@pylon/shared/protocol/index";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { FakeControlPlane } from "./testing/control-plane.ts";
import { addFault, createCt, simCall, startTestSim } from "./testing/sim.ts";

const pkg = fileURLToPath(new URL("..", import.meta.url));
let sim: Sim;
let dir: string;
let bundle: string;
let cp: FakeControlPlane | undefined;
const procs: ChildProcess[] = [];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), "pylon-agent-proc-"));
  bundle = join(dir, "agent.mjs");
  const [s] = await Promise.all([
    startTestSim(),
    promisify(execFile)(process.execPath, [join(pkg, "scripts/build.mjs"), "--outfile", bundle]),
  ]);
  sim = s;
  await createCt(sim, 101);
}, 60_000);
afterAll(async () => {
  await sim?.stop();
  await rm(dir, { recursive: true, force: true });
});
afterEach(async () => {
  for (const p of procs.splice(0)) {
    if (p.exitCode === null && p.signalCode === null) {
      p.kill("SIGKILL");
      await new Promise((r) => p.once("exit", r));
    }
  }
  await cp?.stop();
  cp = undefined;
});

async function configure(name: string): Promise<string> {
  const d = join(dir, name);
  await rm(d, { recursive: true, force: true });
  await mkdir(d, { recursive: true });
  await writeFile(join(d, "pve-token"), sim.token.secret, { mode: 0o600 });
  await writeFile(
    join(d, "credential.json"),
    JSON.stringify({ nodeId: "n", credentialId: "c", credential: "cred-1" }),
    {
      mode: 0o600,
    },
  );
  const config = join(d, "agent.json");
  await writeFile(
    config,
    JSON.stringify({
      controlPlaneUrl: cp?.url,
      nodeName: sim.node,
      stateDir: "state",
      stopGraceMs: 500,
      pve: { url: new URL(sim.apiUrl).origin, tokenId: sim.token.tokenId, caFile: sim.caCertPath },
    }),
  );
  return config;
}

/** PYLON_AGENT_TEST_NODE runs the bundle on another node binary (e.g. Debian's nodejs 18). */
const NODE = process.env.PYLON_AGENT_TEST_NODE ?? process.execPath;

function startProcess(config: string): { child: ChildProcess; out: string[] } {
  const child = spawn(NODE, [bundle, "run", "--config", config], {
    stdio: ["ignore", "pipe", "pipe"],
  });
  const out: string[] = [];
  child.stdout?.on("data", (d: Buffer) => out.push(d.toString()));
  child.stderr?.on("data", (d: Buffer) => out.push(d.toString()));
  procs.push(child);
  return { child, out };
}

const exited = (child: ChildProcess) =>
  new Promise<number | null>((r) =>
    child.exitCode !== null ? r(child.exitCode) : child.once("exit", (code) => r(code)),
  );
type Ev = Extract<AgentFrame, { type: "event" }>;
const eventsOf = (frames: AgentFrame[], jobId: string) =>
  frames.filter((f): f is Ev => f.type === "event" && f.jobId === jobId);

describe("the bundled agent as a process", () => {
  it("stops on SIGTERM: closes the link with 1000 and exits 0, logging JSON without secrets", async () => {
    cp = await new FakeControlPlane().start();
    const { child, out } = startProcess(await configure("term"));
    const conn = await cp.connected(1, 15_000);
    const closed = new Promise<number>((r) => conn.ws.once("close", (code) => r(code)));
    child.kill("SIGTERM");
    expect(await exited(child)).toBe(0);
    expect(await closed).toBe(1000);
    const lines = out.join("").trim().split("\n");
    for (const line of lines) expect(() => JSON.parse(line)).not.toThrow();
    expect(lines.some((l) => JSON.parse(l).msg === "stopped")).toBe(true);
    // The bundle really ran on the node under test (Debian's 18 when PYLON_AGENT_TEST_NODE says so).
    const version = (await promisify(execFile)(NODE, ["--version"])).stdout.trim();
    expect(lines.some((l) => JSON.parse(l).node === version)).toBe(true);
    expect(out.join("")).not.toContain("cred-1");
    expect(out.join("")).not.toContain(sim.token.secret);
  });

  it("loads the app pipeline on the first app job, inside the single-file bundle", async () => {
    cp = await new FakeControlPlane().start();
    startProcess(await configure("lazy"));
    const conn = await cp.connected(1, 15_000);
    // The control plane offers only the kinds an agent announces.
    const hello = conn.frames.find((f) => f.type === "hello");
    expect(hello?.type === "hello" && hello.capabilities).toEqual(
      expect.arrayContaining(["app.deploy", "app.diagnostics", "app.logs"]),
    );
    const params = { appId: "app_1", vmid: 999, type: "lxc", name: "status" };
    conn.send({ type: "offer", jobId: "d1", kind: "app.diagnostics", params, attempt: 1 });
    const result = await cp.waitFor(
      () => eventsOf(conn.frames, "d1").find((e) => e.event.kind === "result"),
      15_000,
      "result",
    );
    // Whatever the diagnostics say about a missing CT, the handler ran: no bundling failure.
    const text = JSON.stringify(result.event);
    expect(text).not.toMatch(/Dynamic require|is not defined|Cannot find (module|package)|does not run/);
  }, 30_000);

  it("killed with SIGKILL mid-job, restarts, reports the held job and finishes it without running it twice", async () => {
    cp = await new FakeControlPlane({ autoAck: false }).start();
    const config = await configure("kill");
    const first = startProcess(config);
    const conn1 = await cp.connected(1, 15_000);
    await addFault(sim, { taskType: "vzstart", action: "hang", times: 1 });
    conn1.send({
      type: "offer",
      jobId: "k1",
      kind: "guest.power",
      params: { vmid: 101, type: "lxc", action: "start" },
      attempt: 1,
    });
    const taskStep = await cp.waitFor(
      () => eventsOf(conn1.frames, "k1").find((e) => e.event.kind === "step" && e.event.step === "task"),
      10_000,
      "task step",
    );
    const upid = taskStep.event.kind === "step" ? taskStep.event.message : undefined;
    expect(upid).toMatch(/^UPID:/);
    first.child.kill("SIGKILL");
    await exited(first.child);

    startProcess(config);
    const conn2 = await cp.connected(2, 15_000);
    const hello = conn2.frames.find((f) => f.type === "hello");
    expect(hello).toMatchObject({ jobs: [{ jobId: "k1", state: "running" }] });
    // The server offers it again (it never saw a result): accepted, not started again.
    conn2.send({
      type: "offer",
      jobId: "k1",
      kind: "guest.power",
      params: { vmid: 101, type: "lxc", action: "start" },
      attempt: 2,
    });
    await cp.waitFor(() => conn2.frames.some((f) => f.type === "accept") || undefined, undefined, "accept");
    await simCall(sim, "DELETE", `/nodes/${sim.node}/tasks/${upid}`);
    const result = await cp.waitFor(
      () => eventsOf(conn2.frames, "k1").find((e) => e.event.kind === "result"),
      10_000,
      "result",
    );
    expect(result.event).toMatchObject({ status: "failed", error: { step: "task" } });
    // Every seq from 1 to the result arrived at least once, across both connections.
    const seqs = new Set(eventsOf(cp.all(), "k1").map((e) => e.seq));
    expect([...seqs].sort((a, b) => a - b)).toEqual(Array.from({ length: result.seq }, (_, i) => i + 1));
    const starts = await simCall(sim, "GET", `/nodes/${sim.node}/tasks`, {
      vmid: 101,
      typefilter: "vzstart",
    });
    expect(Array.isArray(starts) ? starts.length : 0).toBe(1);
  }, 60_000);
});
