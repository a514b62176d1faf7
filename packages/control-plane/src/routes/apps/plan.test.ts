import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { jobs } from "../../db/schema/index.ts";
import { recordEvent } from "../../services/agent-events.ts";
import { markOffered, offerParams } from "../../services/agent-jobs.ts";
import { type Harness, makeHarness } from "../../testing/harness.ts";

let h: Harness;
let op: string;
let viewer: string;
let nodeId: string;
const COMMIT = "0123456789abcdef0123456789abcdef01234567";

beforeAll(async () => {
  h = await makeHarness();
  op = await h.token(await h.user("operator"), ["deploy"]);
  viewer = await h.token(await h.user("viewer"), ["read"]);
  nodeId = await h.node("pve1");
});
afterAll(() => h.close());

/** The app.plan job the request queued, once it is there. */
async function planJob() {
  for (let i = 0; i < 100; i++) {
    const [row] = await h.db
      .select()
      .from(jobs)
      .where(and(eq(jobs.kind, "app.plan"), eq(jobs.status, "queued")));
    if (row) return row;
    await new Promise((r) => setTimeout(r, 20));
  }
  throw new Error("no app.plan job queued");
}

async function answer(jobId: string, event: object) {
  await markOffered(h.deps, jobId);
  const [job] = await h.db.select().from(jobs).where(eq(jobs.id, jobId));
  await recordEvent(h.deps, job!.nodeId, {
    v: 1,
    type: "event",
    jobId,
    seq: job!.lastSeq + 1,
    at: h.clock.now,
    event: event as never,
  });
}

const PLAN = {
  refused: null,
  source: "generated",
  reason: 'found express in package.json; runs the "start" script; port 3000 (server.js)',
  framework: "express",
  frameworkName: "Express",
  runtime: { name: "node", version: "24", from: "default", image: "node:24-bookworm-slim" },
  packageManager: "npm",
  commands: { install: "npm ci", build: null, start: "npm start" },
  port: 3000,
  file: null,
  compose: null,
  dockerfile: "FROM node:24-bookworm-slim AS build\n",
  dockerignore: ".git\n",
  env: { PORT: "3000", HOST: "0.0.0.0" },
  warnings: [],
  found: ["package.json"],
};

describe("POST /apps/plan", () => {
  it("has the node's agent plan the repository, the deploy key sealed, and answers the plan", async () => {
    const pending = h.call("POST", "/api/v1/apps/plan", {
      as: op,
      body: {
        nodeId,
        source: {
          type: "git",
          url: "git@git.example.com:me/shop.git",
          ref: "main",
          deployKey: "-----BEGIN OPENSSH PRIVATE KEY-----\nsecret-key\n",
          plan: { nodeVersion: "22", startCommand: "node server.js" },
        },
      },
    });
    const job = await planJob();
    expect(job.params).toEqual({
      url: "git@git.example.com:me/shop.git",
      ref: "main",
      buildMode: "auto",
      plan: { nodeVersion: "22", startCommand: "node server.js" },
    });
    expect(JSON.stringify(job.params)).not.toContain("secret-key");
    expect(await offerParams(h.deps.secretKey, job)).toMatchObject({
      deployKey: expect.stringContaining("secret-key"),
    });
    await answer(job.id, { kind: "result", status: "succeeded", result: { commit: COMMIT, plan: PLAN } });
    const res = await pending;
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ commit: COMMIT, ref: "main", plan: PLAN });
  });

  it("a ref git cannot fetch is a 400 with git's words; viewers may not plan", async () => {
    const pending = h.call("POST", "/api/v1/apps/plan", {
      as: op,
      body: { nodeId, source: { type: "git", url: "https://git.example.com/me/shop.git", ref: "nope" } },
    });
    const job = await planJob();
    await answer(job.id, {
      kind: "result",
      status: "failed",
      error: { step: "fetch", message: "git fetch failed: fatal: couldn't find remote ref nope" },
    });
    const res = await pending;
    expect(res.status).toBe(400);
    expect((await res.json()).error.message).toBe(
      "Could not plan https://git.example.com/me/shop.git at nope: git fetch failed: fatal: couldn't find remote ref nope",
    );
    const denied = await h.call("POST", "/api/v1/apps/plan", {
      as: viewer,
      body: { nodeId, source: { type: "git", url: "https://git.example.com/me/shop.git" } },
    });
    expect(denied.status).toBe(403);
  });

  it("a deploy carries the reviewed commit and the plan settings; a redeploy builds the ref again", async () => {
    const res = await h.call("POST", "/api/v1/apps", {
      as: op,
      body: {
        name: "shop",
        source: {
          type: "git",
          url: "https://git.example.com/me/shop.git",
          ref: "main",
          buildMode: "generated",
          port: 8080,
          commit: COMMIT,
          plan: { startCommand: "node server.js --prod", nodeVersion: "22" },
        },
        target: { nodeId },
      },
    });
    expect(res.status).toBe(202);
    const app = await res.json();
    expect(app.source).toMatchObject({
      buildMode: "generated",
      port: 8080,
      plan: { startCommand: "node server.js --prod", nodeVersion: "22" },
    });
    const [job] = await h.db.select().from(jobs).where(eq(jobs.id, app.lastJobId));
    expect((job!.params as { source: unknown }).source).toEqual({
      type: "git",
      url: "https://git.example.com/me/shop.git",
      ref: "main",
      buildMode: "generated",
      containerPort: 8080,
      plan: { startCommand: "node server.js --prod", nodeVersion: "22" },
      commit: COMMIT,
    });
    await answer(job!.id, {
      kind: "result",
      status: "succeeded",
      result: { vmid: 150, address: "127.77.0.50", commit: COMMIT, snapshot: "pylon_1" },
    });
    const redeploy = await (
      await h.call("POST", `/api/v1/apps/${app.id}/actions`, { as: op, body: { action: "redeploy" } })
    ).json();
    const [again] = await h.db.select().from(jobs).where(eq(jobs.id, redeploy.lastJobId));
    expect((again!.params as { source: { commit?: string; plan?: unknown } }).source).toMatchObject({
      plan: { startCommand: "node server.js --prod" },
    });
    expect((again!.params as { source: { commit?: string } }).source.commit).toBeUndefined();
  });
});
