// /healthz latency while another process holds the database's write lock, against the same
// server with the lock free. Writes (POST /nodes) are issued throughout, so the server waits for
// the lock while /healthz is measured; what matters is that waiting does not stall the process.
// Run: pnpm build && pnpm exec tsx test/bench/db/healthz-lock.ts   [HOLD_MS=7000]
import { join } from "node:path";
import { type Client, scratchDir, startServer } from "../../e2e/support/server.ts";
import { ADMIN, adminClient } from "../../e2e/support/stack.ts";
import { holdWriteLock } from "../../e2e/support/write-lock.ts";

const HOLD_MS = Number(process.env.HOLD_MS ?? 7000);

function pct(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN;
}

/** Polls /healthz back to back for `ms` while a write goes out every 250 ms. */
async function measure(url: string, api: Client, ms: number, tag: string) {
  const latencies: number[] = [];
  const writes: Promise<{ status: number; ms: number }>[] = [];
  const end = performance.now() + ms;
  let n = 0;
  let failed = 0;
  const writer = setInterval(() => {
    const t0 = performance.now();
    writes.push(
      api.call("POST", "/api/v1/nodes", { name: `bench-${tag}-${n++}` }).then(
        (r) => ({ status: r.status, ms: performance.now() - t0 }),
        () => ({ status: 0, ms: performance.now() - t0 }),
      ),
    );
  }, 250);
  while (performance.now() < end) {
    const t0 = performance.now();
    const ok = await fetch(`${url}/healthz`).then(
      async (res) => {
        await res.arrayBuffer();
        return res.ok;
      },
      () => false,
    );
    if (!ok) failed++;
    latencies.push(performance.now() - t0);
    await new Promise((r) => setTimeout(r, 10));
  }
  clearInterval(writer);
  const done = await Promise.all(writes);
  latencies.sort((a, b) => a - b);
  return {
    scenario: tag,
    requests: latencies.length,
    "p50 ms": Number(pct(latencies, 50).toFixed(1)),
    "p99 ms": Number(pct(latencies, 99).toFixed(1)),
    "max ms": Number((latencies.at(-1) ?? 0).toFixed(1)),
    "healthz failed": failed,
    writes: done.length,
    "writes 2xx": done.filter((w) => w.status < 300).length,
    "writes 503": done.filter((w) => w.status === 503).length,
    "writes other": done.filter((w) => w.status >= 300 && w.status !== 503).length,
    "slowest write ms": Math.round(Math.max(0, ...done.map((w) => w.ms))),
  };
}

async function main() {
  const { dir, cleanup } = scratchDir();
  const server = await startServer(dir, { ...ADMIN, PYLON_LOG_REQUESTS: "false" });
  try {
    const api = await adminClient(server.url);
    const free = await measure(server.url, api, HOLD_MS, "lock-free");
    const lock = await holdWriteLock(join(dir, "data", "pylon.db"), HOLD_MS);
    let held: Awaited<ReturnType<typeof measure>>;
    try {
      held = await measure(server.url, api, HOLD_MS, "lock-held");
    } finally {
      await lock.stop();
    }
    const alive =
      server.output().length > 0 &&
      (await fetch(`${server.url}/healthz`).then(
        (r) => r.ok,
        () => false,
      ));
    console.log(JSON.stringify(free));
    console.log(JSON.stringify(held));
    console.log(
      JSON.stringify({
        "p99 held / free": Number((held["p99 ms"] / Math.max(free["p99 ms"], 0.1)).toFixed(1)),
        "server alive after": alive,
      }),
    );
    if (!alive) console.log(server.output().slice(-3000));
  } finally {
    await server.stop();
    cleanup();
  }
}

await main();
