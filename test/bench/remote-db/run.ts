// Remote libSQL benchmark: the built Node server on its embedded file and on the test libSQL
// server (test/libsql-server, a separate process on loopback), loaded the same way in one run,
// plus the bare round trip of @libsql/client to that server. Prints one JSON line per figure.
// Run: pnpm build && pnpm exec tsx test/bench/remote-db/run.ts   [BENCH_SECONDS=10]
import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { createClient } from "@libsql/client";
import { spawnLibsqlServer } from "@pylon/libsql-server";
import autocannon from "autocannon";
import { Client, type RunningServer, scratchDir, startServer } from "../../e2e/support/server.ts";

const DURATION = Number(process.env.BENCH_SECONDS ?? 10);
const ADMIN = { PYLON_ADMIN_EMAIL: "bench@example.com", PYLON_ADMIN_PASSWORD: "bench password 123" };
const TOKEN = randomBytes(18).toString("base64url");

async function apiToken(url: string): Promise<string> {
  const browser = new Client(url);
  for (let i = 0; i < 600; i++) {
    const r = await browser.call("POST", "/api/v1/auth/login", {
      email: ADMIN.PYLON_ADMIN_EMAIL,
      password: ADMIN.PYLON_ADMIN_PASSWORD,
    });
    if (r.status === 200) break;
    await new Promise((res) => setTimeout(res, 100));
  }
  const tok = await browser.call("POST", "/api/v1/tokens", { name: "bench", scopes: ["read"] });
  if (tok.status !== 201) throw new Error(`cannot create a token: ${tok.status}`);
  return tok.json.secret;
}

async function load(database: string, server: RunningServer) {
  const token = await apiToken(server.url);
  const result = await autocannon({
    url: `${server.url}/api/v1/nodes`,
    connections: 10,
    duration: DURATION,
    headers: { authorization: `Bearer ${token}` },
  });
  const line = {
    scenario: "GET /api/v1/nodes (token auth + list)",
    database,
    "req/s": Math.round(result.requests.average),
    "p50 ms": result.latency.p50,
    "p99 ms": result.latency.p99,
    non2xx: result.non2xx,
    errors: result.errors,
  };
  console.log(JSON.stringify(line));
  return line;
}

async function roundTrip(url: string) {
  const c = createClient({ url, authToken: TOKEN });
  const times: number[] = [];
  for (let i = 0; i < 500; i++) {
    const t = performance.now();
    await c.execute("SELECT 1");
    times.push(performance.now() - t);
  }
  c.close();
  times.sort((x, y) => x - y);
  const at = (q: number) => Number(times[Math.floor(q * (times.length - 1))]!.toFixed(2));
  console.log(
    JSON.stringify({
      scenario: "@libsql/client execute('SELECT 1'), sequential",
      "p50 ms": at(0.5),
      "p99 ms": at(0.99),
    }),
  );
}

async function main() {
  const dirs = [scratchDir(), scratchDir(), scratchDir()];
  const libsql = await spawnLibsqlServer({ dbPath: join(dirs[0]!.dir, "remote.db"), authToken: TOKEN });
  const servers: RunningServer[] = [];
  try {
    await roundTrip(libsql.url);
    const file = await startServer(dirs[1]!.dir, { ...ADMIN, PYLON_LOG_REQUESTS: "false" });
    servers.push(file);
    const embedded = await load("embedded file", file);
    await file.stop();
    const remote = await startServer(dirs[2]!.dir, {
      ...ADMIN,
      PYLON_LOG_REQUESTS: "false",
      PYLON_DATABASE_URL: libsql.url,
      PYLON_DATABASE_AUTH_TOKEN: TOKEN,
      PYLON_SECRET_KEY: randomBytes(32).toString("base64url"),
    });
    servers.push(remote);
    const viaHttp = await load("libSQL server over HTTP (loopback)", remote);
    console.log(
      JSON.stringify({
        "remote/embedded req/s": Number((viaHttp["req/s"] / embedded["req/s"]).toFixed(2)),
        "remote/embedded p50": Number((viaHttp["p50 ms"] / Math.max(embedded["p50 ms"], 1)).toFixed(1)),
      }),
    );
  } finally {
    await Promise.all(servers.map((s) => s.stop()));
    await libsql.stop();
    for (const d of dirs) d.cleanup();
  }
}

await main();
