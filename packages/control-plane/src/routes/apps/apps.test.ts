import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { jobs, ports } from "../../db/schema/index.ts";
import { recordEvent } from "../../services/agent-events.ts";
import { markAccepted, markOffered, offerParams } from "../../services/agent-jobs.ts";
import { type Harness, makeHarness } from "../../testing/harness.ts";

let h: Harness;
let op: string;
let nodeId: string;
const GiB = 1024 ** 3;

beforeAll(async () => {
  h = await makeHarness();
  op = await h.token(await h.user("operator"), ["write"]);
  nodeId = await h.node("pve1", {
    metrics: {
      cpu: 0.1,
      cpus: 8,
      memTotal: 32 * GiB,
      memUsed: 8 * GiB,
      diskTotal: 0,
      diskUsed: 0,
      uptime: 1,
      loadavg: [],
    },
    inventory: {
      pveVersion: "8.4.5",
      node: { cpu: 0.1, cpus: 8, memTotal: 32 * GiB, memUsed: 8 * GiB, uptime: 1 },
      guests: [],
      storages: [
        {
          storage: "local",
          type: "dir",
          content: ["iso", "vztmpl", "backup"],
          total: 100 * GiB,
          used: 0,
          avail: 100 * GiB,
          active: true,
        },
        {
          storage: "local-lvm",
          type: "lvmthin",
          content: ["rootdir", "images"],
          total: 200 * GiB,
          used: 0,
          avail: 50 * GiB,
          active: true,
        },
      ],
      templates: [],
    },
  });
});
afterAll(() => h.close());

async function jobOf(id: string) {
  const [row] = await h.db.select().from(jobs).where(eq(jobs.id, id));
  return row!;
}

/** The agent reports on a job, as after an offer (a job never offered takes no events). */
async function finish(jobId: string, event: object) {
  await markOffered(h.deps, jobId);
  const job = await jobOf(jobId);
  return recordEvent(h.deps, job.nodeId, {
    v: 1,
    type: "event",
    jobId,
    seq: job.lastSeq + 1,
    at: h.clock.now,
    event: event as never,
  });
}

describe("deploying a catalog app", () => {
  it("queues a deploy whose stored params hold no secret, and offers them merged", async () => {
    const res = await h.call("POST", "/api/v1/apps", {
      as: op,
      body: {
        name: "blog",
        source: { type: "catalog", catalogId: "wordpress", parameters: {} },
        target: { nodeId },
        secrets: { SMTP_PASSWORD: "s3cret-smtp" },
      },
    });
    expect(res.status).toBe(202);
    const app = await res.json();
    expect(app).toMatchObject({
      name: "blog",
      status: "deploying",
      domain: "blog.pylon.internal",
      url: null,
      // The entry's name, as the catalog shows it, beside its id.
      source: { type: "catalog", catalogId: "wordpress", name: "WordPress" },
    });
    expect(app.secretNames).toContain("SMTP_PASSWORD");
    expect(JSON.stringify(app)).not.toContain("s3cret-smtp");
    expect(app.ports.length).toBeGreaterThan(0);

    const job = await jobOf(app.lastJobId);
    expect(job.kind).toBe("app.deploy");
    expect(JSON.stringify(job.params)).not.toContain("s3cret-smtp");
    expect((job.params as { source: { compose: string } }).source.compose).toBe("");
    const viaApi = await (await h.call("GET", `/api/v1/jobs/${job.id}`, { as: op })).json();
    expect(JSON.stringify(viaApi)).not.toContain("s3cret-smtp");

    const wire = (await offerParams(h.deps.secretKey, job)) as {
      secrets: Record<string, string>;
      source: { compose: string };
      http: { port: number };
    };
    expect(wire.secrets.SMTP_PASSWORD).toBe("s3cret-smtp");
    expect(wire.source.compose).toMatch(/services:/);
    // The generated database passwords go along to be masked in the live log, never stored in clear.
    const mask = (wire as { mask?: string[] }).mask ?? [];
    expect(mask.length).toBeGreaterThan(0);
    for (const m of mask) {
      expect(wire.source.compose).toContain(m);
      expect(JSON.stringify(job.params)).not.toContain(m);
    }
    expect(wire.http.port).toBe(app.ports[0].port);

    await finish(job.id, {
      kind: "result",
      status: "succeeded",
      result: { vmid: 123, address: "127.77.0.9", commit: null, snapshot: "pylon_1" },
    });
    const done = await (await h.call("GET", `/api/v1/apps/${app.id}`, { as: op })).json();
    expect(done).toMatchObject({
      status: "running",
      url: "https://blog.pylon.internal",
      guest: { vmid: 123, address: "127.77.0.9" },
    });
  });

  it("refuses bad input with errors naming the field", async () => {
    const cases: [object, string][] = [
      [{ name: "Bad_Name", source: { type: "catalog", catalogId: "nginx" }, target: { nodeId } }, "name"],
      [
        { name: "x1", source: { type: "catalog", catalogId: "nope" }, target: { nodeId } },
        "source.catalogId",
      ],
      [
        { name: "x2", source: { type: "git", url: "file:///etc", ref: "main" }, target: { nodeId } },
        "source.url",
      ],
      [
        {
          name: "x3",
          source: { type: "git", url: "https://example.com/a/b.git", ref: "--upload-pack=touch /tmp/x" },
          target: { nodeId },
        },
        "source.ref",
      ],
      [
        { name: "x4", source: { type: "git", url: "git@example.com:a/b.git" }, target: { nodeId } },
        "source.deployKey",
      ],
      [
        { name: "x5", source: { type: "catalog", catalogId: "nginx" }, target: { nodeId, memoryMb: 30_000 } },
        "target.memoryMb",
      ],
      [
        { name: "x6", source: { type: "catalog", catalogId: "nginx" }, target: { nodeId, diskGb: 60 } },
        "target.diskGb",
      ],
      [
        { name: "x7", source: { type: "catalog", catalogId: "nginx" }, target: { nodeId, storage: "local" } },
        "target.storage",
      ],
      [
        {
          name: "x8",
          source: { type: "catalog", catalogId: "nginx" },
          target: { nodeId },
          env: { "BAD NAME": "x" },
        },
        "env.BAD NAME",
      ],
    ];
    for (const [body, path] of cases) {
      const res = await h.call("POST", "/api/v1/apps", { as: op, body });
      expect(res.status, path).toBe(400);
      const fields = (await res.json()).error.details.fields.map((f: { path: string }) => f.path);
      expect(fields, JSON.stringify(body)).toContain(path);
    }
    const dup = await h.call("POST", "/api/v1/apps", {
      as: op,
      body: { name: "blog", source: { type: "catalog", catalogId: "nginx" }, target: { nodeId } },
    });
    expect(dup.status).toBe(409);
  });

  it("hands out unique ports under concurrency and frees them on delete", async () => {
    const results = await Promise.all(
      Array.from({ length: 12 }, (_, i) =>
        h.call("POST", "/api/v1/apps", {
          as: op,
          body: { name: `web${i}`, source: { type: "catalog", catalogId: "nginx" }, target: { nodeId } },
        }),
      ),
    );
    const apps = await Promise.all(results.map((r) => r.json()));
    const all = (await h.db.select().from(ports).where(eq(ports.nodeId, nodeId))).map((p) => p.port);
    expect(new Set(all).size).toBe(all.length);
    const victim = apps[0];
    await finish(victim.lastJobId, {
      kind: "result",
      status: "succeeded",
      result: { vmid: 140, address: "127.77.0.40", commit: null, snapshot: null },
    });
    const del = await (await h.call("DELETE", `/api/v1/apps/${victim.id}`, { as: op })).json();
    expect(del.status).toBe("deleting");
    await finish(del.lastJobId, { kind: "result", status: "succeeded" });
    expect((await h.call("GET", `/api/v1/apps/${victim.id}`, { as: op })).status).toBe(404);
    const left = (await h.db.select().from(ports).where(eq(ports.appId, victim.id))).length;
    expect(left).toBe(0);
  });

  it("marks a failed first deploy failed with the agent's error", async () => {
    const app = await (
      await h.call("POST", "/api/v1/apps", {
        as: op,
        body: { name: "broken", source: { type: "catalog", catalogId: "nginx" }, target: { nodeId } },
      })
    ).json();
    await finish(app.lastJobId, {
      kind: "result",
      status: "failed",
      error: { step: "create guest", message: "storage 'local-lvm' is full" },
    });
    const after = await (await h.call("GET", `/api/v1/apps/${app.id}`, { as: op })).json();
    expect(after).toMatchObject({
      status: "failed",
      lastError: "create guest: storage 'local-lvm' is full",
      url: null,
    });

    // Redeploy is a fresh try: ports reserved again, a create deploy queued.
    const retry = await h.call("POST", `/api/v1/apps/${app.id}/actions`, {
      as: op,
      body: { action: "redeploy" },
    });
    expect(retry.status).toBe(202);
    const again = await retry.json();
    expect(again.status).toBe("deploying");
    expect(again.lastJobId).not.toBe(app.lastJobId);
    expect(again.ports.map((p: { name: string }) => p.name)).toEqual(
      app.ports.map((p: { name: string }) => p.name),
    );
    expect((await jobOf(again.lastJobId)).params).toMatchObject({ mode: "create", appId: app.id });
  });
});

describe("cloning an app", () => {
  it("queues a clone of the app's guest as a new app with its own name, domain and ports", async () => {
    const src = await (
      await h.call("POST", "/api/v1/apps", {
        as: op,
        body: {
          name: "wiki",
          source: { type: "catalog", catalogId: "nginx" },
          target: { nodeId },
          secrets: { TOKEN: "clone-secret-1" },
        },
      })
    ).json();
    // Not yet: the source has no guest while its first deploy runs.
    const early = await h.call("POST", `/api/v1/apps/${src.id}/clone`, { as: op, body: { name: "wiki2" } });
    expect(early.status).toBe(409);
    expect((await early.json()).error.message).toMatch(/has no guest to clone yet/);
    await finish(src.lastJobId, {
      kind: "result",
      status: "succeeded",
      result: { vmid: 150, address: "127.77.0.50", commit: null, snapshot: "pylon_1" },
    });

    const res = await h.call("POST", `/api/v1/apps/${src.id}/clone`, { as: op, body: { name: "wiki2" } });
    expect(res.status).toBe(202);
    const copy = await res.json();
    expect(copy).toMatchObject({
      name: "wiki2",
      status: "deploying",
      domain: "wiki2.pylon.internal",
      guest: { vmid: null },
      source: { type: "catalog", catalogId: "nginx" },
    });
    expect(copy.id).not.toBe(src.id);
    expect(copy.secretNames).toEqual(src.secretNames);
    const srcPorts = src.ports.map((p: { port: number }) => p.port);
    for (const p of copy.ports) expect(srcPorts).not.toContain(p.port);

    const job = await jobOf(copy.lastJobId);
    expect(job.params).toMatchObject({ mode: "clone", cloneFrom: 150, name: "wiki2", appId: copy.id });
    expect(JSON.stringify(job.params)).not.toContain("clone-secret-1");
    const wire = (await offerParams(h.deps.secretKey, job)) as { secrets: Record<string, string> };
    expect(wire.secrets.TOKEN).toBe("clone-secret-1");

    const taken = await h.call("POST", `/api/v1/apps/${src.id}/clone`, { as: op, body: { name: "wiki2" } });
    expect(taken.status).toBe(409);
    const bad = await h.call("POST", `/api/v1/apps/${src.id}/clone`, {
      as: op,
      body: { name: "Not A Name" },
    });
    expect(bad.status).toBe(400);
    expect((await bad.json()).error.details.fields[0].path).toBe("name");
    const missing = await h.call("POST", "/api/v1/apps/app_nope/clone", { as: op, body: { name: "x1" } });
    expect(missing.status).toBe(404);

    // Each app's history is its own jobs.
    const history = await (await h.call("GET", `/api/v1/jobs?app=${src.id}`, { as: op })).json();
    expect(history.items.map((j: { id: string }) => j.id)).toEqual([src.lastJobId]);
    const copyHistory = await (await h.call("GET", `/api/v1/jobs?app=${copy.id}`, { as: op })).json();
    expect(copyHistory.items.map((j: { id: string }) => j.id)).toEqual([copy.lastJobId]);
  });
});

describe("cancelling a deploy", () => {
  const portsOf = async (appId: string) =>
    (await h.db.select().from(ports).where(eq(ports.appId, appId))).length;
  const create = async (name: string) =>
    (
      await h.call("POST", "/api/v1/apps", {
        as: op,
        body: { name, source: { type: "catalog", catalogId: "nginx" }, target: { nodeId } },
      })
    ).json();

  it("a queued first deploy cancelled: the app is failed saying so, its ports are free", async () => {
    const app = await create("never");
    expect(await portsOf(app.id)).toBeGreaterThan(0);
    const res = await h.call("POST", `/api/v1/jobs/${app.lastJobId}/cancel`, { as: op });
    expect(res.status).toBe(200);
    expect((await res.json()).status).toBe("cancelled");
    const after = await (await h.call("GET", `/api/v1/apps/${app.id}`, { as: op })).json();
    expect(after).toMatchObject({
      status: "failed",
      lastError: "Deploy cancelled: cancelled before it started",
    });
    expect(await portsOf(app.id)).toBe(0);
  });

  it("a running first deploy cancelled and undone by the agent: failed, cancelled, ports freed", async () => {
    const app = await create("halfway");
    await markAccepted(h.deps, nodeId, app.lastJobId);
    const res = await h.call("POST", `/api/v1/jobs/${app.lastJobId}/cancel`, { as: op });
    expect((await res.json()).cancelRequested).toBe(true);
    // Still deploying until the agent reports how the cancel ended.
    expect((await (await h.call("GET", `/api/v1/apps/${app.id}`, { as: op })).json()).status).toBe(
      "deploying",
    );
    await finish(app.lastJobId, {
      kind: "result",
      status: "cancelled",
      error: { step: "docker", message: "cancelled during docker; what it had done was undone" },
      result: { undone: true },
    });
    const after = await (await h.call("GET", `/api/v1/apps/${app.id}`, { as: op })).json();
    expect(after).toMatchObject({
      status: "failed",
      lastError: "Deploy cancelled: docker: cancelled during docker; what it had done was undone",
      guest: { vmid: null },
    });
    expect(await portsOf(app.id)).toBe(0);
  });

  it("keeps the ports when the agent could not undo everything", async () => {
    const app = await create("leftover");
    await markAccepted(h.deps, nodeId, app.lastJobId);
    await finish(app.lastJobId, {
      kind: "result",
      status: "cancelled",
      error: {
        step: "run",
        message: "cancelled during run; undone in part; undo left work behind: create: locked",
      },
      result: { undone: false },
    });
    const after = await (await h.call("GET", `/api/v1/apps/${app.id}`, { as: op })).json();
    expect(after.status).toBe("failed");
    expect(await portsOf(app.id)).toBeGreaterThan(0);
  });

  it("a cancelled redeploy keeps the app running on its previous deploy", async () => {
    const app = await create("steady");
    await finish(app.lastJobId, {
      kind: "result",
      status: "succeeded",
      result: { vmid: 160, address: "127.77.0.60", commit: null, snapshot: null },
    });
    const redeploy = await (
      await h.call("POST", `/api/v1/apps/${app.id}/actions`, { as: op, body: { action: "redeploy" } })
    ).json();
    const jobId = redeploy.lastJobId;
    await markAccepted(h.deps, nodeId, jobId);
    await finish(jobId, {
      kind: "result",
      status: "cancelled",
      error: {
        step: "build",
        message: "cancelled during build; what it had done was undone; rolled back to snapshot pylon_1",
      },
      result: { undone: true },
    });
    const after = await (await h.call("GET", `/api/v1/apps/${app.id}`, { as: op })).json();
    expect(after).toMatchObject({ status: "running", guest: { vmid: 160 } });
    expect(after.lastError).toMatch(/^Redeploy cancelled: build: cancelled during build/);
    expect(await portsOf(app.id)).toBeGreaterThan(0);
  });
});
