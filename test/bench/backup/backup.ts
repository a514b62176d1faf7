// Backup benchmark: the whole stack as in test/e2e/backup-stack.test.ts (built control plane,
// agent bundle, Proxmox simulator with zero-length tasks, real Caddy), so every millisecond is
// Pylon's own: POST /api/v1/apps/{id}/backups → the backup listed `ok` (job queued, offered,
// accepted, vzdump requested and polled, archive found by its notes, prune, result stored).
// Baseline in the same run: the same vzdump made straight through the Proxmox API (POST vzdump,
// poll the task, list the storage), what any client pays. Also a restore drill, for scale.
// Run: pnpm build && pnpm bench:backup    [RUNS=9]
import { startAppStack } from "../../e2e/support/app-stack.ts";
import { jobFinished } from "../../e2e/support/stack.ts";

const RUNS = Number(process.env.RUNS ?? 9);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? Number.NaN;

const stack = await startAppStack({ storages: [{ id: "pbs", type: "pbs" }] });
const { api, sim } = stack;

async function pve(method: string, path: string, params: Record<string, string | number> = {}) {
  const q = new URLSearchParams(Object.entries(params).map(([k, v]) => [k, String(v)])).toString();
  const inQuery = method === "GET";
  const { request } = await import("node:https");
  return new Promise<unknown>((resolve, reject) => {
    const req = request(
      `${sim.apiUrl}${path}${inQuery && q ? `?${q}` : ""}`,
      {
        method,
        ca: sim.caCertPem,
        headers: {
          authorization: sim.token.header,
          ...(inQuery ? {} : { "content-type": "application/x-www-form-urlencoded" }),
        },
      },
      (res) => {
        let body = "";
        res.on("data", (c) => (body += c));
        res.on("end", () => resolve((JSON.parse(body) as { data: unknown }).data));
      },
    );
    req.on("error", reject);
    req.end(inQuery ? undefined : q);
  });
}

/** The baseline: vzdump straight through the API, polled like the agent polls (50 ms, ×1.5). */
async function directBackup(vmid: number): Promise<number> {
  const t0 = performance.now();
  const upid = String(
    await pve("POST", `/nodes/${sim.node}/vzdump`, { vmid, storage: "pbs", mode: "snapshot" }),
  );
  for (let delay = 50; ; delay = Math.min(2000, Math.ceil(delay * 1.5))) {
    const s = (await pve("GET", `/nodes/${sim.node}/tasks/${encodeURIComponent(upid)}/status`)) as {
      status: string;
    };
    if (s.status === "stopped") break;
    await new Promise((r) => setTimeout(r, delay));
  }
  await pve("GET", `/nodes/${sim.node}/storage/pbs/content`, { content: "backup", vmid });
  return performance.now() - t0;
}

async function pylonBackup(appId: string): Promise<number> {
  const t0 = performance.now();
  const res = await api.call("POST", `/api/v1/apps/${appId}/backups`, { storage: "pbs" });
  if (res.status !== 202) throw new Error(`backup: ${res.status} ${JSON.stringify(res.json)}`);
  const job = await jobFinished(api, res.json.jobId, 120_000);
  if (job.status !== "succeeded") throw new Error(`backup: ${job.status} ${job.error}`);
  return performance.now() - t0;
}

try {
  const created = await api.call("POST", "/api/v1/apps", {
    name: "bench",
    source: { type: "catalog", catalogId: "nginx", parameters: {} },
    target: { nodeId: stack.nodeId, type: "lxc" },
  });
  await jobFinished(api, created.json.lastJobId, 120_000);
  const app = (await api.call("GET", `/api/v1/apps/${created.json.id}`)).json;
  // Warm both paths (the agent loads its backup handlers on the first backup job).
  await pylonBackup(app.id);
  await directBackup(app.guest.vmid);
  const pylon: number[] = [];
  const direct: number[] = [];
  for (let i = 0; i < RUNS; i++) {
    pylon.push(await pylonBackup(app.id));
    direct.push(await directBackup(app.guest.vmid));
  }
  const backups = (await api.call("GET", `/api/v1/apps/${app.id}/backups`)).json.items;
  const t0 = performance.now();
  const drill = await api.call("POST", `/api/v1/apps/${app.id}/backups/${backups[0].id}/drill`);
  const drillJob = await jobFinished(api, drill.json.verified.jobId, 120_000);
  const drillMs = performance.now() - t0;
  const p = median(pylon);
  const d = median(direct);
  console.log(`backup of an LXC app, zero-length vzdump (${RUNS} in a row, PBS storage)`);
  console.log(
    `  Pylon: POST → backup ok   median ${Math.round(p)} ms (min ${Math.round(Math.min(...pylon))}, max ${Math.round(Math.max(...pylon))})`,
  );
  console.log(`  direct Proxmox API        median ${Math.round(d)} ms`);
  console.log(
    `  Pylon's own overhead      ${Math.round(p - d)} ms per backup (${(p / d).toFixed(1)}× the direct call)`,
  );
  console.log(
    `  restore drill (restore, start, health check, destroy): ${Math.round(drillMs)} ms, ${drillJob.result?.passed ? "passed" : "failed"}`,
  );
  console.log(
    JSON.stringify({
      scenario: "backup, zero-length vzdump",
      "pylon ms (median)": Math.round(p),
      "direct API ms (median)": Math.round(d),
      "own overhead ms (median)": Math.round(p - d),
    }),
  );
} finally {
  await stack.stop();
}
