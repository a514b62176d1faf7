// Deploys as a user does them, every part real but Proxmox: the API, the agent bundle, the
// simulator's guests (real processes) and a real Caddy serving each app by its name over HTTPS.
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  NODE_APP,
  type ServedRepo,
  selfSignedCert,
  serveRepo,
} from "../../packages/agent/src/deploy/pipeline/git-fixture.ts";
import { injectionCorpus, markerPath } from "../../packages/agent/src/runners/testing.ts";
import { type AppStack, startAppStack } from "./support/app-stack.ts";
import { jobFinished, until } from "./support/stack.ts";

let stack: AppStack;
let repo: ServedRepo;
let certDir: string;

beforeAll(async () => {
  // The Git server has a private CA the guests trust (as a self-hoster's Gitea would).
  certDir = mkdtempSync(join(tmpdir(), "pylon-git-tls-"));
  const cert = await selfSignedCert(certDir);
  repo = await serveRepo(NODE_APP, cert);
  stack = await startAppStack({ guestCaFile: cert.certFile });
}, 90_000);

afterAll(async () => {
  await stack?.stop();
  await repo?.close();
  if (certDir) rmSync(certDir, { recursive: true, force: true });
});

interface StreamedEvent {
  seq: number;
  event: { kind: string; step?: string; status?: string; message?: string };
}

/** Follows a job's live stream (SSE) to its end and returns its events, in the order received. */
async function streamToEnd(jobId: string): Promise<StreamedEvent[]> {
  const res = await fetch(`${stack.server.url}/api/v1/jobs/${jobId}/stream`, {
    headers: { authorization: `Bearer ${stack.api.bearer}` },
  });
  expect(res.headers.get("content-type")).toMatch(/text\/event-stream/);
  const text = await res.text();
  expect(text).toMatch(/event: end/);
  return text
    .split("\n\n")
    .filter((block) => /^event: event$/m.test(block))
    .map((block) => JSON.parse(/^data: (.*)$/m.exec(block)?.[1] ?? "null") as StreamedEvent);
}

async function appOf(id: string) {
  return (await stack.api.call("GET", `/api/v1/apps/${id}`)).json;
}

async function finished(app: { lastJobId: string }) {
  const job = await jobFinished(stack.api, app.lastJobId, 60_000);
  expect(job.error ?? null, JSON.stringify(job)).toBeNull();
  expect(job.status).toBe("succeeded");
  return job;
}

describe("deploying apps end to end", { timeout: 90_000 }, () => {
  let web: { id: string; lastJobId: string; url: string | null };

  it("deploys nginx from the catalog into an LXC, streams the steps live and serves it by name", async () => {
    const res = await stack.api.call("POST", "/api/v1/apps", {
      name: "web",
      source: { type: "catalog", catalogId: "nginx", parameters: {} },
      target: { nodeId: stack.nodeId, type: "lxc" },
    });
    expect(res.status, JSON.stringify(res.json)).toBe(202);
    web = res.json;
    const events = await streamToEnd(web.lastJobId);
    const steps = events
      .filter((e) => e.event.kind === "step" && e.event.status === "succeeded")
      .map((e) => e.event.step);
    expect(steps).toEqual([
      "reserve",
      "create",
      "start",
      "address",
      "docker",
      "fetch",
      "build",
      "run",
      "health",
      "route",
      "snapshot",
    ]);
    // Every event once, in order, none missing.
    expect(events.map((e) => e.seq)).toEqual(events.map((_, i) => i + 1));
    expect(events.some((e) => e.event.kind === "log")).toBe(true);
    await finished(web);

    const app = await appOf(web.id);
    expect(app).toMatchObject({
      status: "running",
      url: `https://web.apps.test:${stack.caddy.httpsPort}`,
      guest: { type: "lxc" },
    });
    expect(app.guest.vmid).toBeGreaterThanOrEqual(100);
    const page = await stack.fetchApp("web.apps.test");
    expect(page.status).toBe(200);
    expect(page.body).toContain("pve-sim service");

    const ct = stack.sim.world.guests.get(app.guest.vmid);
    expect(ct?.config).toMatchObject({ hostname: "web", unprivileged: "1", features: "nesting=1,keyctl=1" });
    expect([...(ct?.snapshots.keys() ?? [])].some((s) => /^pylon_\d{8}_\d{6}$/.test(s))).toBe(true);
  });

  it("deploys a Git repository (a Node app with its Dockerfile) into a VM and serves it by name", async () => {
    const res = await stack.api.call("POST", "/api/v1/apps", {
      name: "hello",
      source: { type: "git", url: repo.url, ref: "main" },
      target: { nodeId: stack.nodeId, type: "vm", memoryMb: 1024 },
      env: { GREETING: "hi" },
    });
    expect(res.status, JSON.stringify(res.json)).toBe(202);
    await finished(res.json);
    const app = await appOf(res.json.id);
    expect(app).toMatchObject({ status: "running", commit: repo.commit, guest: { type: "qemu" } });
    const vm = stack.sim.world.guests.get(app.guest.vmid);
    expect(vm?.config).toMatchObject({ name: "hello", ciuser: "pylon", ipconfig0: "ip=dhcp" });
    const page = await stack.fetchApp("hello.apps.test");
    expect(page).toEqual({ status: 200, body: "hello from the fixture app" });
  });

  it("stops and starts an app: Caddy answers 502 while it is stopped", async () => {
    const stop = await stack.api.call("POST", `/api/v1/apps/${web.id}/actions`, { action: "stop" });
    expect(stop.status).toBe(202);
    await finished(stop.json);
    expect((await appOf(web.id)).status).toBe("stopped");
    expect((await stack.fetchApp("web.apps.test")).status).toBe(502);

    const start = await stack.api.call("POST", `/api/v1/apps/${web.id}/actions`, { action: "start" });
    await finished(start.json);
    expect((await appOf(web.id)).status).toBe("running");
    await until(async () => (await stack.fetchApp("web.apps.test")).status === 200, 20_000, "app back");
  });

  it("resizes live: cores and memory change on the guest, a smaller disk is refused", async () => {
    const shrink = await stack.api.call("PATCH", `/api/v1/apps/${web.id}`, { diskGb: 1 });
    expect(shrink.status).toBe(400);
    expect(JSON.stringify(shrink.json.error)).toMatch(/diskGb/);

    const res = await stack.api.call("PATCH", `/api/v1/apps/${web.id}`, { cores: 2, memoryMb: 1024 });
    expect(res.status, JSON.stringify(res.json)).toBe(202);
    await finished(res.json);
    const app = await appOf(web.id);
    expect(app.resources).toMatchObject({ cores: 2, memoryMb: 1024 });
    expect(stack.sim.world.guests.get(app.guest.vmid)?.config).toMatchObject({ cores: "2", memory: "1024" });
    expect((await stack.fetchApp("web.apps.test")).status).toBe(200);
  });

  it("clones an app into a new CT with its own name and route; the original keeps serving", async () => {
    const res = await stack.api.call("POST", `/api/v1/apps/${web.id}/clone`, { name: "web-copy" });
    expect(res.status, JSON.stringify(res.json)).toBe(202);
    await finished(res.json);
    const copy = await appOf(res.json.id);
    expect(copy).toMatchObject({
      status: "running",
      url: `https://web-copy.apps.test:${stack.caddy.httpsPort}`,
    });
    expect(copy.guest.vmid).not.toBe((await appOf(web.id)).guest.vmid);
    expect((await stack.fetchApp("web-copy.apps.test")).status).toBe(200);
    expect((await stack.fetchApp("web.apps.test")).status).toBe(200);
  });

  it("deletes an app: guest destroyed, route removed, ports free for the next app", async () => {
    const before = await appOf(web.id);
    const del = await stack.api.call("DELETE", `/api/v1/apps/${web.id}`);
    expect(del.status).toBe(202);
    await finished(del.json);
    expect((await stack.api.call("GET", `/api/v1/apps/${web.id}`)).status).toBe(404);
    expect(stack.sim.world.guests.has(before.guest.vmid)).toBe(false);
    const gone = await stack.fetchApp("web.apps.test").catch(() => ({ status: 0, body: "" }));
    expect(gone.status).not.toBe(200);
    const apps = (await stack.api.call("GET", "/api/v1/apps")).json.items as { ports: { port: number }[] }[];
    const inUse = apps.flatMap((a) => a.ports.map((p) => p.port));
    for (const p of before.ports) expect(inUse).not.toContain(p.port);
  });

  it("runs nothing from a shell-injection corpus in any field a user fills", async () => {
    const marker = markerPath();
    const corpus = injectionCorpus(marker);
    const base = {
      name: "inject",
      source: { type: "catalog", catalogId: "grafana", parameters: {} },
      target: { nodeId: stack.nodeId },
    };
    const refused: [string, unknown][] = [];
    for (const bad of corpus) {
      const bodies = [
        { ...base, name: bad },
        { ...base, domain: bad },
        { ...base, source: { ...base.source, parameters: { admin_user: bad } } },
        { ...base, source: { type: "git", url: `https://git.example.com/${bad}`, ref: "main" } },
        { ...base, source: { type: "git", url: "https://git.example.com/a.git", ref: bad } },
        { ...base, source: { type: "git", url: "https://git.example.com/a.git", subdirectory: bad } },
        { ...base, target: { ...base.target, storage: bad } },
        { ...base, env: { [bad]: "x" } },
      ];
      for (const body of bodies) {
        const res = await stack.api.call("POST", "/api/v1/apps", body);
        if (res.status !== 400) refused.push([bad, res.status]);
      }
    }
    expect(
      refused,
      "every hostile name, domain, parameter, URL, ref, path, storage and env name is a 400",
    ).toEqual([]);

    // Values are data, not code: they reach the app and nothing runs.
    const env = Object.fromEntries(corpus.map((v, i) => [`V${i}`, v]));
    const secrets = Object.fromEntries(corpus.map((v, i) => [`S${i}`, v]));
    const res = await stack.api.call("POST", "/api/v1/apps", {
      name: "inject",
      source: { type: "catalog", catalogId: "nginx", parameters: {} },
      target: { nodeId: stack.nodeId },
      env,
      secrets,
    });
    expect(res.status, JSON.stringify(res.json)).toBe(202);
    await finished(res.json);
    expect(existsSync(marker)).toBe(false);
    const del = await stack.api.call("DELETE", `/api/v1/apps/${res.json.id}`);
    await finished(del.json);
  });

  it("a failing deploy names its step and leaves no guest or route behind", async () => {
    const guestsBefore = [...stack.sim.world.guests.keys()].sort();
    // The simulator fails the next CT create task the way Proxmox does when storage is short.
    const fault = await fetch(`${stack.sim.controlUrl}/faults`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        taskType: "vzcreate",
        action: "fail",
        message: "lvcreate failed: not enough space",
      }),
    });
    expect(fault.status, await fault.text()).toBeLessThan(300);
    const res = await stack.api.call("POST", "/api/v1/apps", {
      name: "doomed",
      source: { type: "catalog", catalogId: "nginx", parameters: {} },
      target: { nodeId: stack.nodeId },
    });
    expect(res.status).toBe(202);
    const job = await jobFinished(stack.api, res.json.lastJobId, 60_000);
    expect(job.status).toBe("failed");
    const app = await appOf(res.json.id);
    expect(app.status).toBe("failed");
    expect(app.lastError).toMatch(/create.*not enough space/);
    expect([...stack.sim.world.guests.keys()].sort()).toEqual(guestsBefore);
    const page = await stack.fetchApp("doomed.apps.test").catch(() => ({ status: 0, body: "" }));
    expect(page.status).not.toBe(200);
  });
});
