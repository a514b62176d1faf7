// Unauthenticated floods against the built Node server (issue 10): RSS before/after 200
// unauthenticated setup + sign-in requests, /healthz latency meanwhile, and how long a sign-in for
// an unknown email takes next to one for a known email (they must not be told apart).
// Run: pnpm build && pnpm exec tsx test/bench/auth/flood.ts   [BENCH_TIMING_ROUNDS=30]
import { readFileSync } from "node:fs";
import { Client, type RunningServer, scratchDir, startServer } from "../../e2e/support/server.ts";

const ADMIN = { email: "bench@example.com", password: "bench password 123" };
const ROUNDS = Number(process.env.BENCH_TIMING_ROUNDS ?? 30);

function memoryMb(pid: number) {
  const status = readFileSync(`/proc/${pid}/status`, "utf8");
  const kb = (name: string) => Number(new RegExp(`${name}:\\s+(\\d+) kB`).exec(status)?.[1] ?? Number.NaN);
  return { rss: Math.round(kb("VmRSS") / 1024), peak: Math.round(kb("VmHWM") / 1024) };
}

function pct(values: number[], p: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return Math.round(sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? Number.NaN);
}

let ipSeq = 0;
const nextIp = () => `198.18.${Math.floor(ipSeq / 250)}.${(ipSeq++ % 250) + 1}`;

async function post(s: RunningServer, path: string, body: unknown, ip: string): Promise<number> {
  const res = await fetch(`${s.url}${path}`, {
    method: "POST",
    headers: { "content-type": "application/json", "x-forwarded-for": ip },
    body: JSON.stringify(body),
  });
  await res.arrayBuffer();
  return res.status;
}

async function healthLatencies(s: RunningServer, until: Promise<unknown>): Promise<number[]> {
  const out: number[] = [];
  let done = false;
  void until.finally(() => (done = true));
  while (!done) {
    const t0 = performance.now();
    await (await fetch(`${s.url}/healthz`)).arrayBuffer();
    out.push(performance.now() - t0);
    await new Promise((r) => setTimeout(r, 50));
  }
  return out;
}

/** 100 setup attempts (setup is done: must be refused before hashing) and 100 sign-ins for unknown emails, at once. */
async function flood(s: RunningServer, title: string, ip: () => string) {
  const before = memoryMb(s.pid);
  const t0 = performance.now();
  const requests = Promise.all([
    ...Array.from({ length: 100 }, (_, i) =>
      post(
        s,
        "/api/v1/setup",
        { token: `x${i}`, email: `s${i}@example.com`, name: "S", password: "long enough password" },
        ip(),
      ),
    ),
    ...Array.from({ length: 100 }, (_, i) =>
      post(s, "/api/v1/auth/login", { email: `nobody-${i}@example.com`, password: `guess ${i}` }, ip()),
    ),
  ]);
  const health = await healthLatencies(s, requests);
  const statuses = await requests;
  const after = memoryMb(s.pid);
  const count: Record<string, number> = {};
  for (const st of statuses) count[st] = (count[st] ?? 0) + 1;
  console.log(
    JSON.stringify({
      scenario: title,
      requests: statuses.length,
      "wall ms": Math.round(performance.now() - t0),
      statuses: count,
      "rss before MB": before.rss,
      "rss after MB": after.rss,
      "peak rss MB": after.peak,
      "healthz p50 ms": pct(health, 50),
      "healthz max ms": pct(health, 100),
    }),
  );
}

/** Sequential sign-ins, known email with a wrong password against unknown email, interleaved. */
async function timing(s: RunningServer, admin: Client) {
  const known: string[] = [];
  for (let i = 0; i < Math.ceil(ROUNDS / 3); i++) {
    const email = `known${i}@example.com`;
    await admin.call("POST", "/api/v1/users", {
      email,
      name: "K",
      role: "viewer",
      password: "a long enough password",
    });
    known.push(email);
  }
  const times = { known: [] as number[], unknown: [] as number[] };
  for (let i = 0; i < ROUNDS; i++) {
    for (const kind of ["known", "unknown"] as const) {
      // Three tries per known account, each from a new address, stays under every lockout.
      const email = kind === "known" ? known[i % known.length]! : `ghost${i}@example.com`;
      const t0 = performance.now();
      const status = await post(s, "/api/v1/auth/login", { email, password: "not the password" }, nextIp());
      if (status !== 401) throw new Error(`expected 401, got ${status}`);
      times[kind].push(performance.now() - t0);
    }
  }
  const row = (k: "known" | "unknown") => ({
    p10: pct(times[k], 10),
    p50: pct(times[k], 50),
    p90: pct(times[k], 90),
  });
  console.log(
    JSON.stringify({
      scenario: `wrong sign-in, ${ROUNDS} each, sequential`,
      "known email ms": row("known"),
      "unknown email ms": row("unknown"),
      "p50 ratio unknown/known": Number((pct(times.unknown, 50) / pct(times.known, 50)).toFixed(2)),
    }),
  );
}

async function main() {
  const { dir, cleanup } = scratchDir();
  const s = await startServer(dir, {
    PYLON_ADMIN_EMAIL: ADMIN.email,
    PYLON_ADMIN_PASSWORD: ADMIN.password,
    PYLON_TRUST_PROXY: "true",
    PYLON_LOG_REQUESTS: "false",
  });
  try {
    const browser = new Client(s.url);
    for (let i = 0; i < 200; i++) {
      if ((await browser.call("POST", "/api/v1/auth/login", ADMIN)).status === 200) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    const token = await browser.call("POST", "/api/v1/tokens", { name: "bench", scopes: ["admin"] });
    const admin = new Client(s.url, token.json.secret);
    console.log(JSON.stringify({ scenario: "idle after sign-in", ...memoryMb(s.pid) }));
    await flood(s, "200 unauthenticated requests, each from its own address", nextIp);
    await flood(s, "200 unauthenticated requests, all from one address", () => "198.19.0.1");
    await timing(s, admin);
  } finally {
    await s.stop();
    cleanup();
  }
}

await main();
