// Every route, every kind of caller: the answer follows the access each route declares.
import { type Role, roleAtLeast, type Scope, scopesAllow } from "@pylon/shared";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Browser, type Harness, makeHarness } from "../testing/harness.ts";

type AccessDoc = { public: true } | { role: Role; scope: Scope | null; sessionOnly: boolean };
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
      "POST /api/v1/apps/{id}/actions": "operator/deploy",
      "POST /api/v1/apps/{id}/clone": "operator/deploy",
      "PATCH /api/v1/apps/{id}": "operator/write",
      "DELETE /api/v1/apps/{id}": "operator/write",
      "GET /api/v1/apps/{id}/diagnostics/{name}": "operator/read",
      "GET /api/v1/apps/{id}/logs": "operator/read",
      "GET /api/v1/apps/{id}/metrics": "viewer/read",
      "GET /api/v1/apps/{id}/webhook": "operator/write",
      "POST /api/v1/apps/{id}/webhook": "public",
      "GET /api/v1/settings": "viewer/read",
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
