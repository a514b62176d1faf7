// The control plane as a Cloudflare Worker, in workerd (`wrangler dev --local`), on a remote
// libSQL database (test/libsql-server, migrated by `pnpm db:migrate`): sign in, the real agent
// enrolls and connects through the Worker to its node's Durable Object, inventory, a catalog
// deploy followed live over SSE, a cut link with nothing lost, and a Node process on the same
// database dispatching to the agent the Worker holds.
import { execFile } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { get as httpGet } from "node:http";
import { join } from "node:path";
import { promisify } from "node:util";
import { type LibsqlServerProcess, spawnLibsqlServer } from "@pylon/libsql-server";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type AppStack, caddyInstalled, startAppStack } from "./support/app-stack.ts";
import { Client, ROOT, type RunningServer, scratchDir, startServer } from "./support/server.ts";
import { ADMIN, createCt, jobFinished, pve, until } from "./support/stack.ts";
import { startWorker } from "./support/worker.ts";
import { signIn } from "./ui/support/app.ts";
import { launchBrowser, newContext, watchErrors } from "./ui/support/browser.ts";

const run = promisify(execFile);
const TOKEN = randomBytes(18).toString("base64url");
const dirs: ReturnType<typeof scratchDir>[] = [];
const scratch = () => {
  const d = scratchDir();
  dirs.push(d);
  return d.dir;
};
let libsql: LibsqlServerProcess;
let db: Record<string, string>;
let stack: AppStack | undefined;
let node: RunningServer | undefined;
let browser: Browser | undefined;

beforeAll(async () => {
  // The stack routes apps through Caddy (installed by scripts/system-deps.sh).
  if (!caddyInstalled()) return;
  libsql = await spawnLibsqlServer({ dbPath: join(scratch(), "remote.db"), authToken: TOKEN });
  db = {
    PYLON_DATABASE_URL: libsql.url,
    PYLON_DATABASE_AUTH_TOKEN: TOKEN,
    PYLON_SECRET_KEY: randomBytes(32).toString("base64url"),
  };
  await run("pnpm", ["--silent", "db:migrate"], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? "", HOME: process.env.HOME ?? "", ...db },
  });
  stack = await startAppStack({
    linkProxy: true,
    startServer: (dir, env) =>
      startWorker(dir, {
        ...ADMIN,
        PYLON_AGENT_HEARTBEAT_MS: "1000",
        PYLON_LOG_REQUESTS: "false",
        ...db,
        ...env,
      }),
  });
}, 240_000);

afterAll(async () => {
  await browser?.close();
  await Promise.all([stack?.stop(), node?.stop()]);
  await libsql?.stop();
  for (const d of dirs) d.cleanup();
});

/** Reads a Server-Sent Events stream to its end on a connection of its own, as EventSource does. */
function liveView(url: string, bearer: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const headers = { authorization: `Bearer ${bearer}`, accept: "text/event-stream" };
    const req = httpGet(url, { agent: false, headers }, (res) => {
      let text = "";
      res.setEncoding("utf8");
      res.on("data", (d: string) => (text += d));
      res.on("end", () => resolve(text));
      res.on("error", reject);
    });
    req.on("error", reject);
  });
}

/** The simulator's vzstart tasks of a guest (only running ones with `source`). */
async function tasksOf(sim: AppStack["sim"], vmid: number, source?: "active"): Promise<number> {
  const query = { vmid, typefilter: "vzstart", limit: 1000, ...(source ? { source } : {}) };
  return ((await pve(sim, "GET", `/nodes/${sim.node}/tasks`, query)) as unknown[]).length;
}

const seqsOf = (sse: string) => [...sse.matchAll(/^id: (\d+)$/gm)].map((m) => Number(m[1]));

describe.skipIf(!caddyInstalled())("the control plane on Workers (workerd)", () => {
  it("answers as the Workers runtime, serves the dashboard with its browser headers", async () => {
    const s = stack!;
    expect(await (await fetch(`${s.server.url}/healthz`)).json()).toMatchObject({ runtime: "workers" });
    const page = await fetch(`${s.server.url}/`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain("<div id=");
    expect(page.headers.get("content-security-policy")).toContain("default-src 'self'");
    expect(page.headers.get("x-frame-options")).toBe("DENY");
  });

  it("serves the installer and the agent bundle with the checksum it announces", async () => {
    const s = stack!;
    const script = await fetch(`${s.server.url}/install/agent.sh`);
    expect(script.status).toBe(200);
    expect(await script.text()).toMatch(/^#!\/bin\/sh/);
    const manifest = (await (await fetch(`${s.server.url}/install/agent.json`)).json()) as { sha256: string };
    const bundle = Buffer.from(await (await fetch(`${s.server.url}/install/agent.mjs`)).arrayBuffer());
    expect(createHash("sha256").update(bundle).digest("hex")).toBe(manifest.sha256);
  });

  it("has the real agent connected through its node's Durable Object, with inventory", async () => {
    const s = stack!;
    const n = (await s.api.call("GET", `/api/v1/nodes/${s.nodeId}`)).json;
    expect(n).toMatchObject({ status: "online" });
    expect(n.inventory).toBeTruthy();
  });

  it("deploys a catalog app with its events live over SSE, and the app answers through Caddy", async () => {
    const s = stack!;
    const res = await s.api.call("POST", "/api/v1/apps", {
      name: "worker-web",
      source: { type: "catalog", catalogId: "nginx", parameters: {} },
      target: { nodeId: s.nodeId, type: "lxc" },
    });
    expect(res.status, JSON.stringify(res.json)).toBe(202);
    const sse = await liveView(`${s.server.url}/api/v1/jobs/${res.json.lastJobId}/stream`, s.api.bearer!);
    expect(sse).toMatch(/^event: end$/m);
    const job = await jobFinished(s.api, res.json.lastJobId, 90_000);
    expect(job.status, job.error).toBe("succeeded");
    // Every event the agent sent reached the live view, in order, none repeated.
    const seqs = seqsOf(sse);
    expect(seqs.length).toBeGreaterThan(3);
    expect(seqs).toEqual(Array.from({ length: seqs.length }, (_, i) => i + 1));
    expect((await s.fetchApp("worker-web.apps.test")).status).toBe(200);
  }, 150_000);

  it("shows a deploy live in the browser, under the dashboard's CSP, to its end", async () => {
    const s = stack!;
    browser = await launchBrowser();
    const ctx = await newContext(browser, s.server.url);
    ctx.setDefaultTimeout(60_000);
    const page = await ctx.newPage();
    const errors = watchErrors(page);
    await page.goto("/jobs");
    await signIn(page, ADMIN.PYLON_ADMIN_EMAIL, ADMIN.PYLON_ADMIN_PASSWORD);
    const res = await s.api.call("POST", "/api/v1/apps", {
      name: "worker-web2",
      source: { type: "catalog", catalogId: "nginx", parameters: {} },
      target: { nodeId: s.nodeId, type: "lxc" },
    });
    expect(res.status).toBe(202);
    await page.goto(`/jobs/${res.json.lastJobId}`);
    await page.getByTestId("job-status").getByText("succeeded").waitFor();
    expect(errors).toEqual([]);
  }, 120_000);

  it("loses nothing and runs nothing twice when the agent's link is cut mid-job", async () => {
    const s = stack!;
    await createCt(s.sim, 310);
    // The start task takes 3 s, so the link is cut while the agent runs it.
    const fault = { taskType: "vzstart", vmid: 310, action: "delay", ms: 3000 };
    const set = await fetch(`${s.sim.controlUrl}/faults`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(fault),
    });
    expect(set.status).toBeLessThan(300);
    const started = await s.api.call("POST", `/api/v1/nodes/${s.nodeId}/guests/310/power`, {
      type: "lxc",
      action: "start",
    });
    expect(started.status).toBe(202);
    await until(
      async () => ((await tasksOf(s.sim, 310, "active")) > 0 ? true : null),
      20_000,
      "the start task",
    );
    expect(s.proxy!.cut()).toBeGreaterThan(0);
    // Queued while the link is down: runs once the agent is back.
    const queued = (await s.api.call("POST", `/api/v1/nodes/${s.nodeId}/inventory`)).json;
    const job = await jobFinished(s.api, started.json.id, 60_000);
    expect(job.status, job.error).toBe("succeeded");
    const events = (await s.api.call("GET", `/api/v1/jobs/${job.id}/events?limit=1000`)).json.items as {
      seq: number;
      event: { kind: string };
    }[];
    expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
    expect(events.filter((e) => e.event.kind === "result")).toHaveLength(1);
    expect(await tasksOf(s.sim, 310)).toBe(1);
    expect((await jobFinished(s.api, queued.id, 60_000)).status).toBe("succeeded");
    expect((await s.api.call("GET", `/api/v1/nodes/${s.nodeId}`)).json.status).toBe("online");
  }, 120_000);

  it("shares the database with a Node process: each sees the other's work, the Worker's agent runs the Node's jobs", async () => {
    const s = stack!;
    node = await startServer(scratch(), { ...ADMIN, ...db, PYLON_LOG_REQUESTS: "false" });
    const viaNode = new Client(node.url, s.api.bearer);
    const app = (await viaNode.call("GET", "/api/v1/apps")).json.items.find(
      (a: { name: string }) => a.name === "worker-web",
    );
    expect(app).toMatchObject({ status: "running" });
    expect((await viaNode.call("GET", `/api/v1/nodes/${s.nodeId}`)).json.status).toBe("online");
    // Created on Node, for the agent the Worker's object holds: found by the object's sweep.
    const job = (await viaNode.call("POST", `/api/v1/nodes/${s.nodeId}/inventory`)).json;
    const sse = await liveView(`${node.url}/api/v1/jobs/${job.id}/stream`, s.api.bearer!);
    expect(sse).toMatch(/^event: end$/m);
    expect((await jobFinished(s.api, job.id)).status).toBe("succeeded");
  }, 90_000);

  it("never logs the database token or the secret key", () => {
    const out = stack!.server.output() + libsql.output();
    expect(out).not.toContain(TOKEN);
    expect(out).not.toContain(db.PYLON_SECRET_KEY);
  });
});
