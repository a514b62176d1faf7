// Link benchmark, control-plane side: dispatch latency with 1,000 agents connected, and one
// process holding 10,000 agent connections with heartbeats (RSS and CPU while idle).
// Agents are minimal protocol clients in this process; the server is the built Node server.
// Run: pnpm build && pnpm exec tsx test/bench/link/dispatch.ts   [AGENTS=1000 MANY=10000 JOBS=500]
import { type ChildProcess, spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import { encodeFrame, JOB_KINDS, parseServerFrame } from "@pylon/shared";
import WebSocket from "ws";
import { SERVER_ENTRY, SERVER_NODE_FLAGS, scratchDir } from "../../e2e/support/server.ts";

const AGENTS = Number(process.env.AGENTS ?? 1000);
const MANY = Number(process.env.MANY ?? 10_000);
const JOBS = Number(process.env.JOBS ?? 500);
const HEARTBEAT_MS = 15_000;
const ADMIN = { email: "bench@example.com", password: "bench password 123" };

function procStat(pid: number): { rssMb: number; cpuTicks: number } {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const rss = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0) / 1024;
  const fields = readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1]!.split(" ");
  return { rssMb: rss, cpuTicks: Number(fields[11]) + Number(fields[12]) };
}

function pct(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

async function startServer(cwd: string, port: number): Promise<ChildProcess> {
  const child = spawn(process.execPath, [...SERVER_NODE_FLAGS, SERVER_ENTRY], {
    cwd,
    env: {
      PATH: process.env.PATH,
      PYLON_PORT: String(port),
      PYLON_ADMIN_EMAIL: ADMIN.email,
      PYLON_ADMIN_PASSWORD: ADMIN.password,
      PYLON_LOG_REQUESTS: "false",
      PYLON_AGENT_HEARTBEAT_MS: String(HEARTBEAT_MS),
    },
    stdio: "ignore",
  });
  for (;;) {
    if (
      await fetch(`http://127.0.0.1:${port}/healthz`).then(
        (r) => r.ok,
        () => false,
      )
    )
      return child;
    await new Promise((r) => setTimeout(r, 20));
  }
}

interface Agent {
  nodeId: string;
  ws: WebSocket;
  onOffer?: (jobId: string) => void;
}

async function connectAgent(base: string, nodeId: string, credential: string): Promise<Agent> {
  const ws = new WebSocket(`${base.replace("http", "ws")}/agent/v1/connect`, {
    headers: { authorization: `Bearer ${credential}` },
    perMessageDeflate: false,
  });
  const agent: Agent = { nodeId, ws };
  await new Promise<void>((resolve, reject) => {
    ws.once("error", reject);
    ws.on("message", (data) => {
      const p = parseServerFrame(String(data));
      if (!p.ok) return;
      const f = p.frame;
      if (f.type === "welcome") resolve();
      if (f.type === "offer") {
        agent.onOffer?.(f.jobId);
        ws.send(encodeFrame({ type: "accept", jobId: f.jobId }));
        ws.send(
          encodeFrame({
            type: "event",
            jobId: f.jobId,
            seq: 1,
            at: Date.now(),
            event: { kind: "result", status: "succeeded" },
          }),
        );
      }
    });
    ws.once("open", () =>
      ws.send(
        encodeFrame({
          type: "hello",
          agentVersion: "bench",
          nodeName: nodeId,
          pveVersion: null,
          capabilities: [...JOB_KINDS],
          jobs: [],
        }),
      ),
    );
  });
  const beat = setInterval(() => {
    if (ws.readyState === WebSocket.OPEN) {
      ws.send(
        encodeFrame({
          type: "heartbeat",
          at: Date.now(),
          metrics: {
            cpu: 0.1,
            cpus: 4,
            memTotal: 8e9,
            memUsed: 2e9,
            diskTotal: 1e11,
            diskUsed: 1e10,
            uptime: 1,
            loadavg: [0.1],
          },
        }),
      );
    }
  }, HEARTBEAT_MS);
  beat.unref();
  ws.once("close", () => clearInterval(beat));
  return agent;
}

async function main() {
  const { dir, cleanup } = scratchDir();
  const port = 19000 + Math.floor(Math.random() * 1000);
  const base = `http://127.0.0.1:${port}`;
  const server = await startServer(dir, port);
  const agents: Agent[] = [];
  try {
    let cookie = "";
    while (!cookie) {
      const r = await fetch(`${base}/api/v1/auth/login`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(ADMIN),
      });
      if (r.ok)
        cookie = r.headers
          .getSetCookie()
          .map((c) => c.split(";")[0])
          .join("; ");
      else await new Promise((res) => setTimeout(res, 50));
    }
    const csrf = /pylon_csrf=([^;]+)/.exec(cookie)?.[1] ?? "";
    const tokenRes = await fetch(`${base}/api/v1/tokens`, {
      method: "POST",
      headers: { "content-type": "application/json", cookie, "x-csrf-token": csrf },
      body: JSON.stringify({ name: "bench", scopes: ["admin"] }),
    });
    const token = ((await tokenRes.json()) as { secret: string }).secret;
    const auth = { authorization: `Bearer ${token}`, "content-type": "application/json" };

    const enrollMany = async (n: number, prefix: string) => {
      for (let i = agents.length; i < n; i += 50) {
        const batch = await Promise.all(
          Array.from({ length: Math.min(50, n - i) }, async (_, k) => {
            const created = (await (
              await fetch(`${base}/api/v1/nodes`, {
                method: "POST",
                headers: auth,
                body: JSON.stringify({ name: `${prefix}-${i + k}` }),
              })
            ).json()) as { node: { id: string }; enrollment: { token: string } };
            const enrolled = (await (
              await fetch(`${base}/agent/v1/enroll`, {
                method: "POST",
                headers: { "content-type": "application/json" },
                body: JSON.stringify({
                  token: created.enrollment.token,
                  agentVersion: "bench",
                  nodeName: "n",
                  pveVersion: null,
                }),
              })
            ).json()) as { nodeId: string; credential: string };
            return connectAgent(base, enrolled.nodeId, enrolled.credential);
          }),
        );
        agents.push(...batch);
      }
    };

    // ---- dispatch latency with AGENTS connected ----
    await enrollMany(AGENTS, "n");
    await new Promise((r) => setTimeout(r, 1000));
    const afterAccept: number[] = [];
    const fromStart: number[] = [];
    for (let i = 0; i < JOBS; i++) {
      const agent = agents[Math.floor(Math.random() * agents.length)]!;
      const t0 = performance.now();
      let t1 = 0;
      const got = new Promise<void>((resolve) => {
        agent.onOffer = () => {
          t1 = performance.now();
          resolve();
        };
      });
      const res = await fetch(`${base}/api/v1/nodes/${agent.nodeId}/inventory`, {
        method: "POST",
        headers: auth,
      });
      const tAccepted = performance.now();
      if (res.status !== 202) throw new Error(`job not accepted: ${res.status}`);
      await got;
      agent.onOffer = undefined;
      fromStart.push(t1 - t0);
      afterAccept.push(Math.max(0, t1 - tAccepted));
    }
    fromStart.sort((x, y) => x - y);
    afterAccept.sort((x, y) => x - y);
    const r2 = (n: number) => Math.round(n * 100) / 100;
    console.log(
      JSON.stringify({
        scenario: `dispatch, ${AGENTS} agents connected, ${JOBS} jobs`,
        "request start -> offer p50 ms": r2(pct(fromStart, 50)),
        "p99 ms": r2(pct(fromStart, 99)),
        "API answered -> offer p50 ms": r2(pct(afterAccept, 50)),
        "p99 ms (after answer)": r2(pct(afterAccept, 99)),
      }),
    );

    // ---- MANY connections held with heartbeats ----
    if (MANY > 0) {
      const t = performance.now();
      await enrollMany(MANY, "m");
      console.log(
        JSON.stringify({
          scenario: `${MANY} agents enrolled and connected`,
          seconds: Math.round((performance.now() - t) / 100) / 10,
        }),
      );
      // Settle past the first heartbeats and the first metrics writes they cause (once per node),
      // then measure the steady state over four heartbeat intervals.
      await new Promise((r) => setTimeout(r, 75_000));
      const a = procStat(server.pid!);
      const windowMs = 4 * HEARTBEAT_MS;
      await new Promise((r) => setTimeout(r, windowMs));
      const b = procStat(server.pid!);
      const ticksPerSec = 100;
      const corePct = ((b.cpuTicks - a.cpuTicks) / ticksPerSec / (windowMs / 1000)) * 100;
      const open = agents.filter((x) => x.ws.readyState === WebSocket.OPEN).length;
      console.log(
        JSON.stringify({
          scenario: `${MANY} connections idle with ${HEARTBEAT_MS / 1000} s heartbeats`,
          "server RSS MB": Math.round(b.rssMb),
          "server CPU % of a core": Math.round(corePct * 10) / 10,
          "connections still open": open,
        }),
      );
    }
  } finally {
    for (const a of agents) a.ws.terminate();
    server.kill("SIGTERM");
    await new Promise((r) => server.once("exit", r));
    cleanup();
  }
}

await main();
process.exit(0);
