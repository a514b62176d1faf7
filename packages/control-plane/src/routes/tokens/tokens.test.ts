import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Harness, makeHarness } from "../../testing/harness.ts";

let h: Harness;
beforeAll(async () => {
  h = await makeHarness();
});
afterAll(() => h.close());

describe("API tokens", () => {
  it("shows the secret once, stores it hashed and lets it authenticate", async () => {
    const u = await h.user("operator");
    const b = await h.signIn(u.email);
    const created = await h.call("POST", "/api/v1/tokens", {
      as: b,
      body: { name: "ci", scopes: ["deploy"] },
    });
    expect(created.status).toBe(201);
    const { secret, token } = await created.json();
    expect(secret).toMatch(/^pyl_[a-z2-7]{52}$/);
    expect(token).toMatchObject({ name: "ci", scopes: ["deploy"], lastUsedAt: null, expiresAt: null });
    expect(secret.startsWith(token.prefix)).toBe(true);

    const listed = await (await h.call("GET", "/api/v1/tokens", { as: b })).json();
    expect(JSON.stringify(listed)).not.toContain(secret.slice(10));
    const rows = await h.deps.db.query.apiTokens.findMany();
    expect(JSON.stringify(rows)).not.toContain(secret);

    const me = await h.call("GET", "/api/v1/auth/me", { as: secret });
    expect(me.status).toBe(200);
    expect(await me.json()).toMatchObject({ via: "token", user: { id: u.id }, token: { id: token.id } });
    const after = await (await h.call("GET", "/api/v1/tokens", { as: b })).json();
    expect(after.items.find((t: { id: string }) => t.id === token.id).lastUsedAt).toBe(
      new Date(h.clock.now).toISOString(),
    );
  });

  it("never grants more than the creator's role", async () => {
    const v = await h.user("viewer");
    const b = await h.signIn(v.email);
    const res = await h.call("POST", "/api/v1/tokens", {
      as: b,
      body: { name: "x", scopes: ["read", "write"] },
    });
    expect(res.status).toBe(403);
    expect((await res.json()).error.message).toMatch(/write/);
    const op = await h.user("operator");
    const ob = await h.signIn(op.email);
    expect(
      (await h.call("POST", "/api/v1/tokens", { as: ob, body: { name: "x", scopes: ["admin"] } })).status,
    ).toBe(403);
    expect(
      (await h.call("POST", "/api/v1/tokens", { as: ob, body: { name: "x", scopes: ["write"] } })).status,
    ).toBe(201);
  });

  it("a token cannot mint a stronger token", async () => {
    const a = await h.user("admin");
    const adminToken = await h.token(a, ["admin"]);
    const res = await h.call("POST", "/api/v1/tokens", {
      as: adminToken,
      body: { name: "y", scopes: ["read"] },
    });
    expect(res.status).toBe(201);
    const readToken = (await res.json()).secret;
    const denied = await h.call("POST", "/api/v1/tokens", {
      as: readToken,
      body: { name: "z", scopes: ["read"] },
    });
    expect(denied.status).toBe(403);
  });

  it("a demoted creator demotes their tokens", async () => {
    const admin = await h.user("admin");
    const other = await h.user("admin");
    const t = await h.token(other, ["admin"]);
    expect((await h.call("GET", "/api/v1/users", { as: t })).status).toBe(200);
    const ab = await h.signIn(admin.email);
    await h.call("PATCH", `/api/v1/users/${other.id}`, { as: ab, body: { role: "viewer" } });
    expect((await h.call("GET", "/api/v1/users", { as: t })).status).toBe(403);
    expect((await h.call("GET", "/api/v1/auth/me", { as: t })).status).toBe(200);
  });

  it("disabling a user disables their tokens", async () => {
    const admin = await h.user("admin");
    const u = await h.user("operator");
    const t = await h.token(u, ["read"]);
    expect((await h.call("GET", "/api/v1/auth/me", { as: t })).status).toBe(200);
    const ab = await h.signIn(admin.email);
    await h.call("PATCH", `/api/v1/users/${u.id}`, { as: ab, body: { disabled: true } });
    expect((await h.call("GET", "/api/v1/auth/me", { as: t })).status).toBe(401);
    await h.call("PATCH", `/api/v1/users/${u.id}`, { as: ab, body: { disabled: false } });
    expect((await h.call("GET", "/api/v1/auth/me", { as: t })).status).toBe(200);
  });

  it("expires and can be revoked", async () => {
    const u = await h.user("viewer");
    const b = await h.signIn(u.email);
    const res = await h.call("POST", "/api/v1/tokens", {
      as: b,
      body: { name: "short", scopes: ["read"], expiresInDays: 1 },
    });
    const { secret, token } = await res.json();
    expect(token.expiresAt).toBe(new Date(h.clock.now + 86_400_000).toISOString());
    expect((await h.call("GET", "/api/v1/auth/me", { as: secret })).status).toBe(200);
    h.clock.now += 86_400_000;
    expect((await h.call("GET", "/api/v1/auth/me", { as: secret })).status).toBe(401);

    const t2 = await (
      await h.call("POST", "/api/v1/tokens", {
        as: await h.signIn(u.email),
        body: { name: "r", scopes: ["read"] },
      })
    ).json();
    const b2 = await h.signIn(u.email);
    expect((await h.call("DELETE", `/api/v1/tokens/${t2.token.id}`, { as: b2 })).status).toBe(204);
    expect((await h.call("GET", "/api/v1/auth/me", { as: t2.secret })).status).toBe(401);
    expect((await h.call("DELETE", `/api/v1/tokens/${t2.token.id}`, { as: b2 })).status).toBe(404);
  });

  it("users cannot revoke or list other users' tokens; admins can", async () => {
    const a = await h.user("viewer");
    const b = await h.user("viewer");
    const admin = await h.user("admin");
    const ta = await (
      await h.call("POST", "/api/v1/tokens", {
        as: await h.signIn(a.email),
        body: { name: "a", scopes: ["read"] },
      })
    ).json();
    const bb = await h.signIn(b.email);
    expect((await h.call("DELETE", `/api/v1/tokens/${ta.token.id}`, { as: bb })).status).toBe(404);
    expect((await h.call("GET", "/api/v1/tokens?all=true", { as: bb })).status).toBe(403);
    const ab = await h.signIn(admin.email);
    const all = await (await h.call("GET", "/api/v1/tokens?all=true", { as: ab })).json();
    expect(all.items.some((t: { id: string }) => t.id === ta.token.id)).toBe(true);
    expect((await h.call("DELETE", `/api/v1/tokens/${ta.token.id}`, { as: ab })).status).toBe(204);
  });
});
