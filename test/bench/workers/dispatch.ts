// Workers benchmark: the Worker bundle's gzipped size, and dispatch latency (API call → the agent
// has the offer) through a node's Durable Object in workerd, beside the same figure for the Node
// server, both on one libSQL server (test/libsql-server) in the same run.
// Run: pnpm build && pnpm bench:workers   [NODES=5 JOBS=200]
import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import { gzipSync } from "node:zlib";
import { spawnLibsqlServer } from "@pylon/libsql-server";
import { encodeFrame, JOB_KINDS, parseServerFrame } from "@pylon/shared";
import WebSocket from "ws";
import { type Client, ROOT, type RunningServer, scratchDir, startServer } from "../../e2e/support/server.ts";
import { ADMIN, adminClient } from "../../e2e/support/stack.ts";
import { startWorker } from "../../e2e/support/worker.ts";

const run = promisify(execFile);
const NODES = Number(process.env.NODES ?? 5);
const JOBS = Number(process.env.JOBS ?? 200);
const WARMUP = 10;

const pct = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;

/** `wrangler deploy --dry-run` output, gzipped, in KiB. */
async function bundleKiB(): Promise<{ raw: number; gzip: number }> {
  await run("pnpm", ["--filter", "@pylon/control-plane", "run", "bundle:worker"], { cwd: ROOT });
  const dir = join(ROOT, "packages/control-plane/dist/worker");
  const js = readdirSync(dir).filter((f) => f.endsWith(".js"));
  const bytes = Buffer.concat(js.map((f) => readFileSync(join(dir, f))));
  return { raw: bytes.length / 1024, gzip: gzipSync(bytes, { level: 9 }).length / 1024 };
}

/** A minimal agent: accepts each offer and finishes it at once; `offered` hears each job id. */
async function agent(base: string, credential: string, offered: (jobId: string) => void): Promise<WebSocket> {
  const ws = new WebSocket(`${base.replace("http", "ws")}/agent/v1/connect`, {
    headers: { authorization: `Bearer ${credential}` },
  });
  await new Promise<void>((resolve, reject) => {
    ws.once("error", reject);
    ws.on("message", (data) => {
      const p = parseServerFrame(String(data));
      if (!p.ok) return;
      if (p.frame.type === "welcome") resolve();
      if (p.frame.type === "offer") {
        const jobId = p.frame.jobId;
        offered(jobId);
        ws.send(encodeFrame({ type: "accept", jobId }));
        const event = { kind: "result", status: "succeeded" } as const;
        ws.send(encodeFrame({ type: "event", jobId, seq: 1, at: Date.now(), event }));
      }
    });
    ws.once("open", () =>
      ws.send(
        encodeFrame({
          type: "hello",
          agentVersion: "bench",
          nodeName: "bench",
          pveVersion: null,
          capabilities: [...JOB_KINDS],
          jobs: [],
        }),
      ),
    );
  });
  return ws;
}

/** Dispatch latency through `server`: NODES agents connected to it, JOBS jobs one after another. */
async function measure(server: RunningServer, api: Client, label: string): Promise<number[]> {
  const waiting = new Map<string, () => void>();
  const early = new Set<string>();
  const offered = (jobId: string) => {
    const w = waiting.get(jobId);
    if (w) w();
    else early.add(jobId);
  };
  const nodeIds: string[] = [];
  const sockets: WebSocket[] = [];
  for (let i = 0; i < NODES; i++) {
    const created = await api.call("POST", "/api/v1/nodes", { name: `${label}-${i}` });
    const enrolled = await fetch(`${server.url}/agent/v1/enroll`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        token: created.json.enrollment.token,
        agentVersion: "bench",
        nodeName: "bench",
        pveVersion: "8.4.5",
      }),
    });
    const { nodeId, credential } = (await enrolled.json()) as { nodeId: string; credential: string };
    sockets.push(await agent(server.url, credential, offered));
    nodeIds.push(nodeId);
  }
  // The inventory each agent gets on hello: let it pass first.
  await new Promise((r) => setTimeout(r, 1000));
  const samples: number[] = [];
  for (let i = 0; i < JOBS + WARMUP; i++) {
    const nodeId = nodeIds[i % nodeIds.length]!;
    const started = performance.now();
    let jobId = "";
    // The offer may arrive before the API's answer does.
    const got = new Promise<void>((resolve, reject) => {
      api.call("POST", `/api/v1/nodes/${nodeId}/inventory`).then((res) => {
        if (res.status !== 202 && res.status !== 201)
          return reject(new Error(`${label}: ${res.status} ${JSON.stringify(res.json)}`));
        jobId = res.json.id;
        if (early.delete(jobId)) resolve();
        else waiting.set(jobId, resolve);
      }, reject);
    });
    await got;
    if (i >= WARMUP) samples.push(performance.now() - started);
    waiting.delete(jobId);
  }
  for (const ws of sockets) ws.close();
  return samples.sort((a, b) => a - b);
}

async function main() {
  const scratch = scratchDir();
  const token = randomBytes(18).toString("base64url");
  const libsql = await spawnLibsqlServer({ dbPath: join(scratch.dir, "bench.db"), authToken: token });
  const db = {
    PYLON_DATABASE_URL: libsql.url,
    PYLON_DATABASE_AUTH_TOKEN: token,
    PYLON_SECRET_KEY: randomBytes(32).toString("base64url"),
  };
  let worker: RunningServer | undefined;
  let node: RunningServer | undefined;
  try {
    const size = await bundleKiB();
    await run("pnpm", ["--silent", "db:migrate"], { cwd: ROOT, env: { ...process.env, ...db } });
    const env = { ...ADMIN, ...db, PYLON_LOG_REQUESTS: "false" };
    worker = await startWorker(join(scratch.dir), env);
    node = await startServer(scratch.dir, env);
    const onWorker = await measure(worker, await adminClient(worker.url), "w");
    const onNode = await measure(node, await adminClient(node.url), "n");
    const line = (name: string, s: number[]) =>
      `  ${name.padEnd(28)} p50 ${pct(s, 50).toFixed(1).padStart(6)} ms   p99 ${pct(s, 99).toFixed(1).padStart(6)} ms`;
    console.log(
      `Worker bundle: ${size.raw.toFixed(0)} KiB, ${size.gzip.toFixed(0)} KiB gzipped (target ≤ 1024 KiB)`,
    );
    console.log(
      `Dispatch latency, API call → agent has the offer (${JOBS} jobs over ${NODES} nodes, one libSQL server):`,
    );
    console.log(line("Worker + Durable Object", onWorker));
    console.log(line("Node server", onNode));
    console.log(
      `  ratio Worker/Node           p50 ${(pct(onWorker, 50) / pct(onNode, 50)).toFixed(2)}x   p99 ${(pct(onWorker, 99) / pct(onNode, 99)).toFixed(2)}x`,
    );
  } finally {
    await Promise.all([worker?.stop(), node?.stop()]);
    await libsql.stop();
    scratch.cleanup();
  }
}

main().then(
  () => process.exit(0),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
