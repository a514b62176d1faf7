// Catalog app updates end to end, every part real but Proxmox: the built control plane and agent,
// the simulator's guests and a real Caddy. The catalog's demo app gets a second (good) and a
// third (broken) release through PYLON_CATALOG_FILE, as a Pylon upgrade would ship them.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type AppStack, startAppStack } from "./support/app-stack.ts";
import { publishDemo } from "./support/catalog-fixture.ts";
import { jobFinished } from "./support/stack.ts";

let stack: AppStack;
let dir: string;
let catalogFile: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), "pylon-update-e2e-"));
  catalogFile = join(dir, "catalog.json");
  publishDemo(catalogFile, "1.0.0");
  stack = await startAppStack({ env: { PYLON_CATALOG_FILE: catalogFile } });
}, 90_000);

afterAll(async () => {
  await stack?.stop();
  if (dir) rmSync(dir, { recursive: true, force: true });
});

async function appOf(id: string) {
  return (await stack.api.call("GET", `/api/v1/apps/${id}`)).json;
}

async function eventsOf(
  jobId: string,
): Promise<{ kind: string; step?: string; status?: string; message?: string }[]> {
  const res = await stack.api.call("GET", `/api/v1/jobs/${jobId}/events`);
  return (res.json.items as { event: { kind: string } }[]).map((e) => e.event);
}

describe("updating a catalog app end to end", { timeout: 120_000 }, () => {
  let id: string;

  it("deploys version 1.0.0; a check finds nothing until the catalog has 2.0.0", async () => {
    const res = await stack.api.call("POST", "/api/v1/apps", {
      name: "demo",
      source: { type: "catalog", catalogId: "sim-demo", parameters: {} },
      target: { nodeId: stack.nodeId, type: "lxc" },
    });
    expect(res.status, JSON.stringify(res.json)).toBe(202);
    id = res.json.id;
    const job = await jobFinished(stack.api, res.json.lastJobId, 60_000);
    expect(job.error ?? null).toBeNull();
    expect((await stack.fetchApp("demo.apps.test")).body).toBe("sim-demo 1.0.0\n");

    const none = await stack.api.call("POST", `/api/v1/apps/${id}/update-check`);
    expect(none.json).toMatchObject({ current: "1.0.0", available: null });

    publishDemo(catalogFile, "2.0.0");
    const found = await stack.api.call("POST", `/api/v1/apps/${id}/update-check`);
    expect(found.status).toBe(200);
    expect(found.json).toMatchObject({ current: "1.0.0", available: "2.0.0" });
    const listed = (await stack.api.call("GET", "/api/v1/apps")).json.items.find(
      (a: { id: string }) => a.id === id,
    );
    expect(listed.update).toMatchObject({ current: "1.0.0", available: "2.0.0" });
  });

  it("updates to 2.0.0: a snapshot first, the same guest, route and port, the new version served", async () => {
    const before = await appOf(id);
    const res = await stack.api.call("POST", `/api/v1/apps/${id}/update`);
    expect(res.status, JSON.stringify(res.json)).toBe(202);
    const job = await jobFinished(stack.api, res.json.lastJobId, 90_000);
    expect(job.error ?? null, JSON.stringify(job)).toBeNull();
    expect((await stack.fetchApp("demo.apps.test")).body).toBe("sim-demo 2.0.0\n");
    const after = await appOf(id);
    expect(after).toMatchObject({
      status: "running",
      source: { version: "2.0.0" },
      update: { current: "2.0.0", available: null },
      guest: { vmid: before.guest.vmid },
      ports: before.ports,
      lastError: null,
    });
    const ct = stack.sim.world.guests.get(before.guest.vmid);
    const descriptions = [...(ct?.snapshots.values() ?? [])].map(
      (s) => (s as { description?: string }).description,
    );
    expect(descriptions).toContain("before update from 1.0.0 to 2.0.0");
  });

  it("a broken 3.0.0 fails its health check and is rolled back: 2.0.0 is served again, and the app says why", async () => {
    publishDemo(catalogFile, "3.0.0", true);
    const res = await stack.api.call("POST", `/api/v1/apps/${id}/update`);
    expect(res.status, JSON.stringify(res.json)).toBe(202);
    const job = await jobFinished(stack.api, res.json.lastJobId, 90_000);
    expect(job.status).toBe("failed");
    expect(job.error).toMatch(
      /^health: health failed: .*rolled back to snapshot pylon_\S+; version 2\.0\.0 runs again/,
    );
    const events = await eventsOf(job.id);
    expect(events).toContainEqual(
      expect.objectContaining({ kind: "step", step: "health", status: "failed" }),
    );
    expect(events).toContainEqual(
      expect.objectContaining({ kind: "step", step: "snapshot", status: "undone" }),
    );
    expect(
      events.some(
        (e) =>
          e.kind === "log" && /rolled back to snapshot .*version 2\.0\.0 runs again/.test(e.message ?? ""),
      ),
    ).toBe(true);

    expect((await stack.fetchApp("demo.apps.test")).body).toBe("sim-demo 2.0.0\n");
    const app = await appOf(id);
    expect(app).toMatchObject({ status: "running", source: { version: "2.0.0" } });
    expect(app.lastError).toMatch(
      /^Update from 2\.0\.0 to 3\.0\.0 failed: health: health failed: .*version 2\.0\.0 runs again/,
    );
  });
});
