// The SSH host key of an ssh Git app's host: pinned at deploy, or the one the first deploy saw
// (shown on the app, required by later deploys), and pinned later with PATCH.
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, expect, it } from "vitest";
import { jobs } from "../../db/schema/index.ts";
import { recordEvent } from "../../services/agent-events.ts";
import { markAccepted, markOffered, offerParams } from "../../services/agent-jobs.ts";
import { type Harness, makeHarness } from "../../testing/harness.ts";

let h: Harness;
let op: string;
let nodeId: string;
const GiB = 1024 ** 3;
const SEEN = `SHA256:${"s".repeat(43)}`;
const PINNED = `SHA256:${"p".repeat(43)}`;

beforeAll(async () => {
  h = await makeHarness();
  op = await h.token(await h.user("operator"), ["write"]);
  nodeId = await h.node("pve-git", {
    inventory: {
      pveVersion: "8.4.5",
      node: { cpu: 0.1, cpus: 8, memTotal: 32 * GiB, memUsed: 8 * GiB, uptime: 1 },
      guests: [],
      storages: [
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

const jobOf = async (id: string) => (await h.db.select().from(jobs).where(eq(jobs.id, id)))[0]!;
async function succeed(jobId: string, result: object) {
  await markOffered(h.deps, jobId);
  await markAccepted(h.deps, nodeId, jobId);
  const job = await jobOf(jobId);
  await recordEvent(h.deps, nodeId, {
    v: 1,
    type: "event",
    jobId,
    seq: job.lastSeq + 1,
    at: h.clock.now,
    event: { kind: "result", status: "succeeded", result } as never,
  });
}
const source = (url: string, extra: object = {}) => ({
  type: "git",
  url,
  ref: "main",
  deployKey: "-----BEGIN OPENSSH PRIVATE KEY-----\nx\n-----END OPENSSH PRIVATE KEY-----",
  ...extra,
});
const create = (name: string, src: object) =>
  h.call("POST", "/api/v1/apps", { as: op, body: { name, source: src, target: { nodeId } } });

it("trusts the key the first deploy saw, shows it, and requires it from the next deploy on", async () => {
  const app = await (await create("tofu", source("ssh://git@git.example.com/acme/site.git"))).json();
  expect(app.source.hostKey).toBeNull();
  // Nothing to require yet: the agent trusts the key it finds and reports it.
  expect((await offerParams(h.deps.secretKey, await jobOf(app.lastJobId))) as object).not.toHaveProperty(
    "source.hostKey",
  );
  await succeed(app.lastJobId, {
    vmid: 140,
    address: "10.0.0.40",
    commit: "abc",
    snapshot: null,
    hostKey: { fingerprint: SEEN, keyType: "ssh-ed25519" },
  });
  const after = await (await h.call("GET", `/api/v1/apps/${app.id}`, { as: op })).json();
  expect(after.source.hostKey).toEqual({ fingerprint: SEEN, keyType: "ssh-ed25519", pinned: false });

  const redeploy = await (
    await h.call("POST", `/api/v1/apps/${app.id}/actions`, { as: op, body: { action: "redeploy" } })
  ).json();
  expect((await jobOf(redeploy.lastJobId)).params).toMatchObject({ source: { hostKey: SEEN } });
});

it("pins a key given at deploy, and a new one with PATCH (used by the next deploy)", async () => {
  const app = await (
    await create("pinned", source("git@git.example.com:acme/site.git", { hostKey: PINNED }))
  ).json();
  expect(app.source.hostKey).toEqual({ fingerprint: PINNED, keyType: null, pinned: true });
  expect((await jobOf(app.lastJobId)).params).toMatchObject({ source: { hostKey: PINNED } });
  await succeed(app.lastJobId, {
    vmid: 141,
    address: "10.0.0.41",
    commit: "abc",
    snapshot: null,
    hostKey: { fingerprint: PINNED, keyType: "ssh-rsa" },
  });
  const seen = await (await h.call("GET", `/api/v1/apps/${app.id}`, { as: op })).json();
  expect(seen.source.hostKey).toEqual({ fingerprint: PINNED, keyType: "ssh-rsa", pinned: true });

  const patched = await h.call("PATCH", `/api/v1/apps/${app.id}`, { as: op, body: { hostKey: SEEN } });
  expect(patched.status).toBe(202);
  expect((await patched.json()).source.hostKey).toEqual({ fingerprint: SEEN, keyType: null, pinned: true });
});

it("refuses a malformed fingerprint, and a key for an https repository, naming the field", async () => {
  const bad = await create("bad-fp", source("git@git.example.com:a/b.git", { hostKey: "SHA256:short" }));
  expect(bad.status).toBe(400);
  expect((await bad.json()).error.details.fields[0]).toMatchObject({ path: "source.hostKey" });
  const https = await create("https-fp", {
    type: "git",
    url: "https://git.example.com/a/b.git",
    hostKey: PINNED,
  });
  expect(https.status).toBe(400);
  expect((await https.json()).error.details.fields[0]).toMatchObject({
    path: "source.hostKey",
    message: expect.stringMatching(/ssh repository URL/),
  });
});
