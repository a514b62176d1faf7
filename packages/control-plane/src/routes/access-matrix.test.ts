// Every route, every kind of caller: the answer follows the access each route declares.
import { type Role, roleAtLeast, type Scope, scopesAllow } from "@pylon/shared";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { jobs } from "../db/schema/index.ts";
import { recordEvent } from "../services/agent-events.ts";
import { markAccepted, markOffered } from "../services/agent-jobs.ts";
import { type Browser, type Harness, makeHarness } from "../testing/harness.ts";

type Need = { role: Role; scope: Scope };
type AccessDoc =
  | { public: true }
  | { role: Role; scope: Scope | null; sessionOnly: boolean; jobOutput?: Need };
type Op = { method: string; path: string; access: AccessDoc };
type Caller =
  | { label: string; kind: "anonymous" }
  | { label: string; kind: "session"; role: Role; browser: Browser }
  | { label: string; kind: "token"; role: Role; scopes: Scope[]; secret: string };

let h: Harness;
let ops: Op[];
const callers: Caller[] = [{ label: "anonymous", kind: "anonymous" }];

beforeAll(async () => {
  h = await makeHarness();
  const doc = await (await h.call("GET", "/api/v1/openapi.json")).json();
  ops = Object.entries(doc.paths as Record<string, Record<string, { "x-pylon-access": AccessDoc }>>).flatMap(
    ([path, item]) =>
      Object.entries(item).map(([method, op]) => ({
        method: method.toUpperCase(),
        path,
        access: op["x-pylon-access"],
      })),
  );
  const maxScopes: Record<Role, Scope[]> = {
    viewer: ["read"],
    operator: ["read", "deploy", "write"],
    admin: ["read", "deploy", "write", "admin"],
  };
  for (const role of ["viewer", "operator", "admin"] as const) {
    const u = await h.user(role);
    callers.push({ label: `${role} session`, kind: "session", role, browser: await h.signIn(u.email) });
    for (const scope of maxScopes[role]) {
      callers.push({
        label: `${role} token [${scope}]`,
        kind: "token",
        role,
        scopes: [scope],
        secret: await h.token(u, [scope]),
      });
    }
  }
}, 60_000);
afterAll(() => h.close());

function expected(access: AccessDoc, c: Caller): 401 | 403 | "allowed" {
  if ("public" in access) return "allowed";
  if (c.kind === "anonymous") return 401;
  if (!roleAtLeast(c.role, access.role)) return 403;
  if (c.kind === "token") {
    if (access.sessionOnly) return 403;
    if (!scopesAllow(c.scopes, access.scope!)) return 403;
  }
  return "allowed";
}

describe("access matrix", () => {
  it("documents an access rule for every route the app serves", () => {
    const documented = new Set(ops.map((o) => `${o.method} ${o.path}`));
    const served = h.app.routes
      .filter((r) => r.method !== "ALL" && !r.path.includes("*"))
      .map((r) => `${r.method} ${r.path.replace(/:(\w+)/g, "{$1}")}`);
    // Not API operations: the document itself, its viewer, the installer files, and the agent's
    // WebSocket (authenticated by the agent credential in routes/agent/connect.ts).
    const notOperations = [
      "GET /api/v1/openapi.json",
      "GET /api/docs",
      "GET /install/agent.sh",
      "GET /install/agent.mjs",
      "GET /install/agent.json",
      "GET /agent/v1/connect",
    ];
    const undocumented = served.filter((r) => !documented.has(r) && !notOperations.includes(r));
    expect(undocumented).toEqual([]);
    expect(ops.length).toBeGreaterThanOrEqual(15);
    for (const op of ops) expect(op.access, `${op.method} ${op.path}`).toBeDefined();
  });

  it("declares the intended policy (a change here is a security decision)", () => {
    const policy = Object.fromEntries(
      ops.map((o) => [
        `${o.method} ${o.path}`,
        "public" in o.access
          ? "public"
          : `${o.access.role}/${o.access.sessionOnly ? "session-only" : o.access.scope}`,
      ]),
    );
    expect(policy).toEqual({
      "GET /healthz": "public",
      "GET /readyz": "public",
      "POST /api/v1/auth/login": "public",
      "POST /api/v1/auth/logout": "public",
      "GET /api/v1/auth/me": "viewer/read",
      "POST /api/v1/auth/password": "viewer/session-only",
      "PATCH /api/v1/auth/me": "viewer/write",
      "GET /api/v1/setup": "public",
      "POST /api/v1/setup": "public",
      "GET /api/v1/users": "admin/read",
      "GET /api/v1/users/{id}": "admin/read",
      "POST /api/v1/users": "admin/admin",
      "PATCH /api/v1/users/{id}": "admin/admin",
      "DELETE /api/v1/users/{id}": "admin/admin",
      "GET /api/v1/tokens": "viewer/read",
      "POST /api/v1/tokens": "viewer/admin",
      "DELETE /api/v1/tokens/{id}": "viewer/admin",
      "GET /api/v1/audit": "admin/read",
      "GET /api/v1/nodes": "viewer/read",
      "GET /api/v1/nodes/{id}": "viewer/read",
      "POST /api/v1/nodes": "admin/write",
      "DELETE /api/v1/nodes/{id}": "admin/write",
      "POST /api/v1/nodes/{id}/enrollment": "admin/write",
      "POST /api/v1/nodes/{id}/credential/revoke": "admin/write",
      "POST /api/v1/nodes/{id}/credential/rotate": "admin/write",
      "POST /api/v1/nodes/{id}/agent/update": "admin/write",
      "POST /api/v1/nodes/{id}/vm-template": "admin/write",
      "POST /api/v1/nodes/{id}/inventory": "operator/deploy",
      "POST /api/v1/nodes/{id}/guests/{vmid}/power": "operator/deploy",
      "GET /api/v1/nodes/{id}/metrics": "viewer/read",
      "GET /api/v1/jobs": "viewer/read",
      "GET /api/v1/jobs/{id}": "viewer/read",
      "POST /api/v1/jobs/{id}/cancel": "operator/deploy",
      "GET /api/v1/jobs/{id}/events": "viewer/read",
      "GET /api/v1/jobs/{id}/stream": "viewer/read",
      "POST /agent/v1/enroll": "public",
      "GET /api/v1/catalog": "viewer/read",
      "GET /api/v1/catalog/{id}": "viewer/read",
      "GET /api/v1/apps": "viewer/read",
      "GET /api/v1/apps/{id}": "viewer/read",
      "POST /api/v1/apps": "operator/deploy",
      "POST /api/v1/apps/plan": "operator/deploy",
      "POST /api/v1/apps/{id}/actions": "operator/deploy",
      "POST /api/v1/apps/{id}/clone": "operator/deploy",
      "PATCH /api/v1/apps/{id}": "operator/write",
      "POST /api/v1/apps/{id}/update-check": "operator/deploy",
      "POST /api/v1/apps/{id}/update": "operator/deploy",
      "DELETE /api/v1/apps/{id}": "operator/write",
      "POST /api/v1/apps/{id}/diagnostics/{name}": "operator/read",
      "POST /api/v1/apps/{id}/logs": "operator/read",
      "GET /api/v1/apps/{id}/metrics": "viewer/read",
      "GET /api/v1/apps/{id}/webhook": "operator/write",
      "POST /api/v1/apps/{id}/webhook": "public",
      "GET /api/v1/settings": "viewer/read",
      "PUT /api/v1/settings/automation": "admin/write",
      "PATCH /api/v1/nodes/{id}": "admin/write",
      "GET /api/v1/apps/{id}/backups": "viewer/read",
      "POST /api/v1/apps/{id}/backups": "operator/deploy",
      "PUT /api/v1/apps/{id}/backups/settings": "operator/write",
      "POST /api/v1/apps/{id}/backups/prune": "operator/write",
      "PATCH /api/v1/apps/{id}/backups/{backupId}": "operator/write",
      "DELETE /api/v1/apps/{id}/backups/{backupId}": "operator/write",
      "POST /api/v1/apps/{id}/backups/{backupId}/restore": "operator/deploy",
      "POST /api/v1/apps/{id}/backups/{backupId}/drill": "operator/deploy",
      "GET /api/v1/backups": "viewer/read",
      "POST /api/v1/backups/{backupId}/restore": "operator/deploy",
      "GET /api/v1/apps/{id}/snapshots": "viewer/read",
      "POST /api/v1/apps/{id}/snapshots": "operator/deploy",
      "DELETE /api/v1/apps/{id}/snapshots/{name}": "operator/write",
      "POST /api/v1/apps/{id}/snapshots/{name}/rollback": "operator/deploy",
      "GET /api/v1/apps/{id}/schedules": "viewer/read",
      "POST /api/v1/apps/{id}/schedules": "operator/write",
      "PATCH /api/v1/apps/{id}/schedules/{scheduleId}": "operator/write",
      "DELETE /api/v1/apps/{id}/schedules/{scheduleId}": "operator/write",
      "PUT /api/v1/nodes/{id}/backup-schedule": "admin/write",
      "GET /api/v1/settings/notifications": "admin/read",
      "PUT /api/v1/settings/notifications": "admin/write",
      "POST /api/v1/settings/notifications/test": "admin/write",
    });
  });

  it("answers every route for every role and token scope as declared", async () => {
    const mismatches: string[] = [];
    for (const op of ops) {
      const path = op.path
        .replace("{vmid}", "100")
        .replace("{name}", op.path.includes("/snapshots/") ? "pylon_snap" : "logs")
        .replace(/\{\w+\}/g, "usr_aaaaaaaaaaaaaaaa");
      const withBody = ["POST", "PUT", "PATCH"].includes(op.method);
      // Public routes behave the same for everyone; checking them anonymously keeps logout from ending our sessions.
      const who = "public" in op.access ? callers.slice(0, 1) : callers;
      for (const c of who) {
        const as = c.kind === "session" ? c.browser : c.kind === "token" ? c.secret : undefined;
        const res = await h.call(op.method, path, { as, body: withBody ? {} : undefined });
        const want = expected(op.access, c);
        const ok = want === "allowed" ? res.status !== 401 && res.status !== 403 : res.status === want;
        if (!ok) mismatches.push(`${op.method} ${op.path} as ${c.label}: got ${res.status}, want ${want}`);
        if (res.status >= 500) mismatches.push(`${op.method} ${op.path} as ${c.label}: ${res.status}`);
      }
    }
    expect(mismatches).toEqual([]);
  }, 60_000);
});

// Jobs keep their output (result, error, events, live stream) for callers with the access of the
// route that started them, when that route declares it (`requires(…, { privateOutput: true })`).
describe("access matrix: job output", () => {
  const SECRET = "s3cret-output-line";

  it("declares which routes' jobs have private output (a change here is a security decision)", () => {
    const declared = Object.fromEntries(
      ops.flatMap((o) =>
        "public" in o.access || !o.access.jobOutput
          ? []
          : [[`${o.method} ${o.path}`, `${o.access.jobOutput.role}/${o.access.jobOutput.scope}`]],
      ),
    );
    expect(declared).toEqual({
      "POST /api/v1/apps/{id}/diagnostics/{name}": "operator/read",
      "POST /api/v1/apps/{id}/logs": "operator/read",
    });
  });

  it("shows a job's output to every caller who may start it, and to nobody else", async () => {
    const nodeId = await h.node();
    const appId = await h.appOn(nodeId, 777);
    // The node's agent, played in-process: every queued job succeeds at once with private output.
    const stop = h.deps.bus.subscribe((change) => {
      if (change.topic !== "job.queued" || !change.jobId) return;
      const jobId = change.jobId;
      void (async () => {
        await markOffered(h.deps, jobId);
        await markAccepted(h.deps, nodeId, jobId);
        const frame = (seq: number, event: object) => ({
          v: 1 as const,
          type: "event" as const,
          jobId,
          seq,
          at: h.clock.now,
          event: event as never,
        });
        await recordEvent(h.deps, nodeId, frame(1, { kind: "log", level: "info", message: SECRET }));
        await recordEvent(
          h.deps,
          nodeId,
          frame(2, { kind: "result", status: "succeeded", result: { lines: [SECRET], output: SECRET } }),
        );
      })();
    });
    const admin = callers.find((c) => c.label === "admin session") as Extract<Caller, { kind: "session" }>;
    const mismatches: string[] = [];
    try {
      const starters = ops.filter((o) => !("public" in o.access) && o.access.jobOutput);
      // An ordinary job too: a guest power action's output is for everyone who may read jobs.
      const power = ops.find((o) => o.path === "/api/v1/nodes/{id}/guests/{vmid}/power")!;
      for (const op of [...starters, power]) {
        const path = op.path
          .replace("{id}", op.path.startsWith("/api/v1/nodes") ? nodeId : appId)
          .replace("{name}", "logs")
          .replace("{vmid}", "777");
        const body = op === power ? { type: "lxc", action: "start" } : op.method === "GET" ? undefined : {};
        const before = (await h.db.select({ id: jobs.id }).from(jobs)).map((j) => j.id);
        const started = await h.call(op.method, path, { as: admin.browser, body });
        if (started.status >= 300)
          throw new Error(`${op.method} ${path}: ${started.status} ${await started.text()}`);
        const [job] = (await h.db.select().from(jobs)).filter((j) => !before.includes(j.id));
        if (!job) throw new Error(`${op.method} ${path} started no job`);
        const need: AccessDoc =
          "public" in op.access || !op.access.jobOutput
            ? { role: "viewer", scope: "read", sessionOnly: false }
            : { ...op.access.jobOutput, sessionOnly: false };
        for (const c of callers) {
          const as = c.kind === "session" ? c.browser : c.kind === "token" ? c.secret : undefined;
          const may = expected(need, c) === "allowed";
          const readsJobs = expected({ role: "viewer", scope: "read", sessionOnly: false }, c) === "allowed";
          const where = `${op.method} ${op.path} as ${c.label}`;
          const one = await h.call("GET", `/api/v1/jobs/${job.id}`, { as });
          if (readsJobs) {
            const seen = await one.json();
            if (seen.outputHidden !== !may)
              mismatches.push(`${where}: GET job outputHidden ${seen.outputHidden}`);
            if (JSON.stringify(seen).includes(SECRET) !== may)
              mismatches.push(`${where}: GET job shows output: ${!may}`);
            const list = await (await h.call("GET", `/api/v1/jobs?node=${nodeId}&views=true`, { as })).json();
            const listed = list.items.find((j: { id: string }) => j.id === job.id);
            if (JSON.stringify(listed).includes(SECRET) !== may)
              mismatches.push(`${where}: job list shows output: ${!may}`);
          } else if (one.status !== 401 && one.status !== 403)
            mismatches.push(`${where}: GET job ${one.status}`);
          const events = await h.call("GET", `/api/v1/jobs/${job.id}/events`, { as });
          const stream = await h.call("GET", `/api/v1/jobs/${job.id}/stream`, { as });
          const want = may ? 200 : expected(need, c);
          for (const [name, res] of [
            ["events", events],
            ["stream", stream],
          ] as const) {
            if (res.status !== want) mismatches.push(`${where}: ${name} ${res.status}, want ${want}`);
            const text = await res.text();
            if (may && !text.includes(SECRET)) mismatches.push(`${where}: ${name} lacks the output`);
            if (!may && text.includes(SECRET)) mismatches.push(`${where}: ${name} leaks the output`);
          }
        }
      }
      expect(starters.length).toBeGreaterThanOrEqual(2);
    } finally {
      stop();
    }
    expect(mismatches).toEqual([]);
  }, 120_000);
});
