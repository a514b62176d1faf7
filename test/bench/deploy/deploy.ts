// Deploy benchmark: the whole stack as in test/e2e/deploy-stack.test.ts (built control plane,
// agent bundle, Proxmox simulator with zero-length tasks, real Caddy).
//  1. Pylon's own overhead for a catalog deploy: POST /api/v1/apps → job succeeded, with every
//     Proxmox task taking no time (target ≤ 1.5 s), median of SERIAL deploys, with per-step times.
//  2. CONCURRENT deploys on one node at once: all must succeed with distinct VMIDs, ports and
//     addresses; prints the wall time and per-deploy p50/p95.
//  3. REALISTIC host costs (realistic.ts): 400 ms per host command, real task durations; the
//     last line printed is one JSON object with the median own overhead and host commands.
// Run: pnpm build && pnpm bench:deploy    [SERIAL=5 CONCURRENT=20 AGENT_JOBS=4 REALISTIC=3]
import { startAppStack } from "../../e2e/support/app-stack.ts";
import { jobFinished } from "../../e2e/support/stack.ts";
import { realisticDeploys } from "./realistic.ts";

const SERIAL = Number(process.env.SERIAL ?? 5);
const CONCURRENT = Number(process.env.CONCURRENT ?? 20);
const REALISTIC = Number(process.env.REALISTIC ?? 3);
/** The agent's concurrent job limit (its default is 4). */
const AGENT_JOBS = process.env.AGENT_JOBS ?? "4";

const pct = (sorted: number[], p: number) =>
  sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
const ms = (n: number) => `${Math.round(n)} ms`;

const stack = await startAppStack({ agentEnv: { PYLON_AGENT_MAX_CONCURRENT_JOBS: AGENT_JOBS } });
const { api, nodeId } = stack;

interface Deployed {
  id: string;
  ms: number;
  jobId: string;
}

async function deployOne(name: string): Promise<Deployed> {
  const t0 = performance.now();
  const res = await api.call("POST", "/api/v1/apps", {
    name,
    source: { type: "catalog", catalogId: "nginx", parameters: {} },
    target: { nodeId, type: "lxc" },
  });
  if (res.status !== 202) throw new Error(`${name}: ${res.status} ${JSON.stringify(res.json)}`);
  const job = await jobFinished(api, res.json.lastJobId, 300_000);
  const took = performance.now() - t0;
  if (job.status !== "succeeded") throw new Error(`${name}: ${job.status}: ${job.error}`);
  return { id: res.json.id, ms: took, jobId: job.id };
}

/** Seconds spent in each step of a job, from its step events' timestamps. */
async function stepTimes(jobId: string): Promise<Record<string, number>> {
  const events = (await api.call("GET", `/api/v1/jobs/${jobId}/events?limit=1000`)).json.items as {
    at: string;
    event: { kind: string; step?: string; status?: string };
  }[];
  const started = new Map<string, number>();
  const out: Record<string, number> = {};
  for (const e of events) {
    if (e.event.kind !== "step" || !e.event.step) continue;
    if (e.event.status === "started") started.set(e.event.step, Date.parse(e.at));
    if (e.event.status === "succeeded")
      out[e.event.step] = Date.parse(e.at) - (started.get(e.event.step) ?? Date.parse(e.at));
  }
  return out;
}

try {
  // A first deploy downloads nothing in the simulator, but warms the agent's lazy pipeline.
  await deployOne("warmup");
  const serial: Deployed[] = [];
  for (let i = 0; i < SERIAL; i++) serial.push(await deployOne(`serial${i}`));
  const sorted = serial.map((d) => d.ms).sort((a, b) => a - b);
  const median = pct(sorted, 50);
  const mid = serial.find((d) => d.ms === median) ?? serial[0]!;
  console.log(`catalog deploy, zero-length Proxmox tasks (${SERIAL} in a row)`);
  console.log(`  POST → succeeded: median ${ms(median)}, min ${ms(sorted[0]!)}, max ${ms(sorted.at(-1)!)}`);
  console.log(`  target ≤ 1500 ms: ${median <= 1500 ? "met" : "MISSED"}`);
  const steps = await stepTimes(mid.jobId);
  console.log(
    `  steps of the median deploy: ${Object.entries(steps)
      .map(([k, v]) => `${k} ${v}`)
      .join(", ")} (ms)`,
  );

  const t0 = performance.now();
  const results = await Promise.allSettled(
    Array.from({ length: CONCURRENT }, (_, i) => deployOne(`conc${i}`)),
  );
  const wall = performance.now() - t0;
  const ok = results.flatMap((r) => (r.status === "fulfilled" ? [r.value] : []));
  const failed = results.flatMap((r) => (r.status === "rejected" ? [String(r.reason)] : []));
  const apps = (await api.call("GET", "/api/v1/apps")).json.items as {
    name: string;
    guest: { vmid: number | null; address: string | null };
    ports: { port: number }[];
  }[];
  const all = apps.filter((a) => a.guest.vmid !== null);
  const distinct = (xs: unknown[]) => new Set(xs).size === xs.length;
  const vmidsOk = distinct(all.map((a) => a.guest.vmid));
  const portsOk = distinct(all.flatMap((a) => a.ports.map((p) => p.port)));
  const addrOk = distinct(all.map((a) => a.guest.address));
  const each = ok.map((d) => d.ms).sort((a, b) => a - b);
  console.log(`${CONCURRENT} concurrent catalog deploys on one node (agent runs ${AGENT_JOBS} jobs at once)`);
  console.log(
    `  succeeded ${ok.length}/${CONCURRENT}, wall ${ms(wall)}, per deploy p50 ${ms(pct(each, 50))} p95 ${ms(pct(each, 95))}`,
  );
  console.log(
    `  across all ${all.length} apps: VMIDs ${vmidsOk ? "distinct" : "COLLIDE"}, ports ${portsOk ? "distinct" : "COLLIDE"}, addresses ${addrOk ? "distinct" : "COLLIDE"}`,
  );
  for (const f of failed) console.log(`  failed: ${f}`);
  // Every app answers by its name through Caddy.
  let served = 0;
  for (const a of apps) if ((await stack.fetchApp(`${a.name}.apps.test`)).status === 200) served++;
  console.log(`  served by name through Caddy: ${served}/${apps.length}`);
  if (failed.length || !vmidsOk || !portsOk || !addrOk || served !== apps.length) process.exitCode = 1;
} finally {
  await stack.stop();
}

const real = await realisticDeploys(REALISTIC);
for (const line of real.lines) console.log(line);
console.log(
  JSON.stringify({
    scenario: "catalog deploy, realistic host costs",
    "own overhead ms (median)": real.ownMedianMs,
    "host commands per deploy": real.hostCommands,
  }),
);
