// API benchmark: the built Node server as a separate process, loaded over real HTTP by autocannon.
// Prints req/s and latency per scenario, start-to-ready on an existing database and idle RSS.
// The 1000-connection scenario opens every connection at once (autocannon): 0 errors and 0
// timeouts is the target on a loaded 2-core machine too (runtime/paced-server.ts).
// Run: pnpm build && pnpm bench:api   (targets: issue #2)   [BENCH_SECONDS=10 BENCH_NODE_ARGS=…]
import { type ChildProcess, spawn } from "node:child_process";
import { readFileSync } from "node:fs";
import autocannon from "autocannon";
import { SERVER_ENTRY, SERVER_NODE_FLAGS, scratchDir } from "../../e2e/support/server.ts";

const DURATION = Number(process.env.BENCH_SECONDS ?? 10);
const ADMIN = { email: "bench@example.com", password: "bench password 123" };

function rssMb(pid: number): number {
  const m = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, "utf8"));
  return m ? Number(m[1]) / 1024 : Number.NaN;
}

async function launch(cwd: string, port: number): Promise<{ child: ChildProcess; ms: number }> {
  const t0 = performance.now();
  // BENCH_NODE_ARGS="--cpu-prof --cpu-prof-dir=/tmp/prof" profiles the server under load.
  const nodeArgs = (process.env.BENCH_NODE_ARGS ?? "").split(" ").filter(Boolean);
  const child = spawn(process.execPath, [...SERVER_NODE_FLAGS, ...nodeArgs, SERVER_ENTRY], {
    cwd,
    env: {
      PATH: process.env.PATH,
      ...(process.env.PYLON_LOG_REQUESTS ? { PYLON_LOG_REQUESTS: process.env.PYLON_LOG_REQUESTS } : {}),
      PYLON_PORT: String(port),
      PYLON_ADMIN_EMAIL: ADMIN.email,
      PYLON_ADMIN_PASSWORD: ADMIN.password,
    },
    stdio: "ignore",
  });
  // Ready, not only alive: the PYLON_ADMIN_* account exists then.
  for (;;) {
    const ok = await fetch(`http://127.0.0.1:${port}/readyz`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) return { child, ms: performance.now() - t0 };
    if (child.exitCode !== null) throw new Error("server exited");
    await new Promise((r) => setTimeout(r, 2));
  }
}

function stop(child: ChildProcess): Promise<void> {
  return new Promise((r) => {
    if (child.exitCode !== null) return r();
    child.once("exit", () => r());
    child.kill("SIGTERM");
  });
}

async function load(title: string, url: string, token: string, connections: number) {
  const result = await autocannon({
    url,
    connections,
    duration: DURATION,
    headers: { authorization: `Bearer ${token}` },
  });
  const line = {
    scenario: title,
    connections,
    "req/s": Math.round(result.requests.average),
    "p50 ms": result.latency.p50,
    "p99 ms": result.latency.p99,
    errors: result.errors,
    timeouts: result.timeouts,
    non2xx: result.non2xx,
  };
  console.log(JSON.stringify(line));
  return line;
}

async function main() {
  const { dir, cleanup } = scratchDir();
  const port = 18000 + Math.floor(Math.random() * 2000);
  const base = `http://127.0.0.1:${port}`;
  let server = await launch(dir, port);
  try {
    // Sign in and make a token plus 20 more to list.
    const res = await fetch(`${base}/api/v1/auth/login`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(ADMIN),
    });
    if (!res.ok) throw new Error(`sign-in after /readyz failed: ${res.status}`);
    const cookie = res.headers
      .getSetCookie()
      .map((c) => c.split(";")[0])
      .join("; ");
    const csrf = /pylon_csrf=([^;]+)/.exec(cookie)?.[1] ?? "";
    const mk = async (name: string) => {
      const res = await fetch(`${base}/api/v1/tokens`, {
        method: "POST",
        headers: { "content-type": "application/json", cookie, "x-csrf-token": csrf },
        body: JSON.stringify({ name, scopes: ["admin"] }),
      });
      return ((await res.json()) as { secret: string }).secret;
    };
    const token = await mk("bench");
    for (let i = 0; i < 20; i++) await mk(`extra-${i}`);

    // Start to ready on an existing database (median of 5).
    const starts: number[] = [];
    for (let i = 0; i < 5; i++) {
      await stop(server.child);
      server = await launch(dir, port);
      starts.push(server.ms);
    }
    starts.sort((a, b) => a - b);
    await fetch(`${base}/api/v1/auth/me`, { headers: { authorization: `Bearer ${token}` } });
    await new Promise((r) => setTimeout(r, 2000));
    const idle = rssMb(server.child.pid!);
    console.log(
      JSON.stringify({
        "start to ready ms (median of 5)": Math.round(starts[2]!),
        "max ms": Math.round(starts[4]!),
        "idle RSS MB": Math.round(idle * 10) / 10,
      }),
    );

    await load("warm-up", `${base}/api/v1/auth/me`, token, 10);
    const me = await load("GET /api/v1/auth/me", `${base}/api/v1/auth/me`, token, 50);
    const list = await load("GET /api/v1/tokens (21 items)", `${base}/api/v1/tokens`, token, 50);
    const many = await load("GET /api/v1/auth/me, 1000 connections", `${base}/api/v1/auth/me`, token, 1000);
    const peak = rssMb(server.child.pid!);
    console.log(JSON.stringify({ "RSS after load MB": Math.round(peak * 10) / 10 }));
    console.log(
      `summary: list ${list["req/s"]} req/s p99 ${list["p99 ms"]} ms (target >= 5000, <= 20); me ${me["req/s"]} req/s p99 ${me["p99 ms"]} ms; ` +
        `1000 conns errors ${many.errors + many.timeouts} non2xx ${many.non2xx} (target 0); start ${Math.round(starts[2]!)} ms (target <= 1000); idle RSS ${Math.round(idle)} MB (target <= 80)`,
    );
  } finally {
    await stop(server.child);
    cleanup();
  }
}

await main();
