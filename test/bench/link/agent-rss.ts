// Agent memory: idle RSS of the bundled agent beside a bare Node process holding one `ws`
// client to the same server (bundled the same way, measured the same way, same run), and the
// agent's peak RSS while it runs jobs. Target (issue #4): agent idle within 1.2× of the bare client.
// Run: pnpm exec tsx test/bench/link/agent-rss.ts   [BENCH_IDLE_S=10 BENCH_JOB_S=10]
import { type ChildProcess, execFileSync, spawn } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { FakeControlPlane } from "../../../packages/agent/src/testing/control-plane.ts";
import { createCt, startTestSim } from "../../../packages/agent/src/testing/sim.ts";

const AGENT_PKG = fileURLToPath(new URL("../../../packages/agent/", import.meta.url));
const SETTLE_S = Number(process.env.BENCH_SETTLE_S ?? 15);
const IDLE_S = Number(process.env.BENCH_IDLE_S ?? 10);
const JOB_S = Number(process.env.BENCH_JOB_S ?? 10);

function rssMb(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  return m ? Number(m[1]) / 1024 : Number.NaN;
}
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN;

/** The bare client: one ws connection, nothing else, bundled with the agent's build settings. */
async function buildBareClient(outfile: string): Promise<void> {
  const require = createRequire(join(AGENT_PKG, "package.json"));
  // esbuild is the agent package's dev dependency, not the root's: load it from there.
  const esbuild: { build(options: Record<string, unknown>): Promise<unknown> } = require("esbuild");
  await esbuild.build({
    stdin: {
      contents: `import WebSocket from "ws";
const ws = new WebSocket(process.argv[2], { headers: { authorization: "Bearer bare" }, perMessageDeflate: false });
ws.on("open", () => process.stdout.write("open\\n"));
ws.on("error", (e) => { console.error(e.message); process.exit(1); });`,
      resolveDir: AGENT_PKG,
      loader: "js",
    },
    outfile,
    bundle: true,
    platform: "node",
    format: "esm",
    target: "node18",
    external: ["bufferutil", "utf-8-validate"],
    banner: {
      js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);",
    },
    logLevel: "warning",
  });
}

const children: ChildProcess[] = [];
const extraEnv: Record<string, string> = Object.fromEntries(
  (process.env.BENCH_ENV ?? "")
    .split(" ")
    .filter(Boolean)
    .map((kv) => kv.split("=") as [string, string]),
);
function launch(args: string[]): ChildProcess {
  const child = spawn(process.execPath, args, {
    env: { PATH: process.env.PATH, WS_NO_BUFFER_UTIL: "1", WS_NO_UTF_8_VALIDATE: "1", ...extraEnv },
    stdio: ["ignore", "pipe", "inherit"],
  });
  child.stdout?.resume();
  children.push(child);
  return child;
}

const dir = mkdtempSync(join(tmpdir(), "pylon-bench-link-"));
const sim = await startTestSim();
const cp = await new FakeControlPlane({
  credentials: new Set(["cred-1", "bare"]),
  heartbeatMs: 5000,
}).start();
try {
  execFileSync(process.execPath, [join(AGENT_PKG, "scripts/build.mjs")]);
  await createCt(sim, 101);
  const bareFile = join(dir, "bare.mjs");
  await buildBareClient(bareFile);
  writeFileSync(join(dir, "pve-token"), sim.token.secret);
  writeFileSync(
    join(dir, "credential.json"),
    JSON.stringify({ nodeId: "n", credentialId: "c", credential: "cred-1" }),
  );
  writeFileSync(
    join(dir, "agent.json"),
    JSON.stringify({
      controlPlaneUrl: cp.url,
      stateDir: "state",
      nodeName: sim.node,
      logLevel: "warn",
      pve: { url: new URL(sim.apiUrl).origin, tokenId: sim.token.tokenId, caFile: sim.caCertPath },
    }),
  );

  const bare = launch([bareFile, `${cp.url.replace("http", "ws")}/agent/v1/connect`]);
  const flags = (process.env.BENCH_AGENT_FLAGS ?? "").split(" ").filter(Boolean);
  const agent = launch([
    ...flags,
    join(AGENT_PKG, "dist/agent.mjs"),
    "run",
    "--config",
    join(dir, "agent.json"),
  ]);
  const agentConn = await cp.waitFor(
    () => cp.conns.find((c) => c.authorization === "Bearer cred-1" && c.frames.length),
    20_000,
  );
  await cp.waitFor(() => cp.conns.some((c) => c.authorization === "Bearer bare") || undefined, 20_000);

  // Idle: both connected and left alone SETTLE_S (start-up garbage collected, the agent's
  // heartbeats and metrics sampling running), then sampled once a second, median.
  await sleep(SETTLE_S * 1000);
  const idleBare: number[] = [];
  const idleAgent: number[] = [];
  for (let i = 0; i < IDLE_S; i++) {
    idleBare.push(rssMb(bare.pid ?? 0));
    idleAgent.push(rssMb(agent.pid ?? 0));
    await sleep(1000);
  }

  // Busy: inventory and power jobs back to back, peak RSS.
  let n = 0;
  let peak = 0;
  const end = Date.now() + JOB_S * 1000;
  while (Date.now() < end) {
    const id = `bench_${n++}`;
    agentConn.send(
      n % 2
        ? { type: "offer", jobId: id, kind: "node.inventory", params: {}, attempt: 1 }
        : {
            type: "offer",
            jobId: id,
            kind: "guest.power",
            params: { vmid: 101, type: "lxc", action: n % 4 ? "start" : "stop" },
            attempt: 1,
          },
    );
    await cp.waitFor(
      () =>
        agentConn.frames.some((f) => f.type === "event" && f.jobId === id && f.event.kind === "result") ||
        undefined,
      10_000,
    );
    peak = Math.max(peak, rssMb(agent.pid ?? 0));
  }

  const bareMb = median(idleBare);
  const agentMb = median(idleAgent);
  const range = (xs: number[]) => `${Math.min(...xs).toFixed(1)}–${Math.max(...xs).toFixed(1)}`;
  console.log(
    `node ${process.version}; idle: ${SETTLE_S} s settle, then ${IDLE_S} samples 1 s apart (median, range); ${n} jobs in ${JOB_S} s`,
  );
  console.log(`bare ws client idle RSS : ${bareMb.toFixed(1)} MB (${range(idleBare)})`);
  console.log(
    `agent idle RSS          : ${agentMb.toFixed(1)} MB (${range(idleAgent)})   ratio ${(agentMb / bareMb).toFixed(2)}× (target ≤ 1.20×)`,
  );
  console.log(`agent peak RSS in jobs  : ${peak.toFixed(1)} MB   ratio ${(peak / bareMb).toFixed(2)}×`);
} finally {
  for (const c of children) if (c.exitCode === null && c.pid) process.kill(c.pid, "SIGTERM");
  await Promise.all(
    children.map((c) => (c.exitCode === null ? new Promise((r) => c.once("exit", r)) : null)),
  );
  await cp.stop();
  await sim.stop();
  rmSync(dir, { recursive: true, force: true });
}
