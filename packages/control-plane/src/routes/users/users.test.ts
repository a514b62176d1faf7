import { and, eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { users } from "../../db/schema/index.ts";
import { type Harness, makeHarness } from "../../testing/harness.ts";

let h: Harness;
let admin: string;
beforeAll(async () => {
  h = await makeHarness();
  admin = await h.token(await h.user("admin", "root@example.com"), ["admin"]);
});
afterAll(() => h.close());

describe("users", () => {
  it("creates, reads, updates and deletes", async () => {
    const res = await h.call("POST", "/api/v1/users", {
      as: admin,
      body: {
        email: " Alice@Example.com ",
        name: "Alice",
        role: "operator",
        password: "a long enough password",
      },
    });
    expect(res.status).toBe(201);
    const alice = await res.json();
    expect(alice).toMatchObject({
      email: "alice@example.com",
      name: "Alice",
      role: "operator",
      disabled: false,
    });
    expect(alice).not.toHaveProperty("passwordHash");
    expect(await (await h.call("GET", `/api/v1/users/${alice.id}`, { as: admin })).json()).toEqual(alice);
    const list = await (await h.call("GET", "/api/v1/users", { as: admin })).json();
    expect(list.items.map((u: { email: string }) => u.email)).toContain("alice@example.com");

    const upd = await h.call("PATCH", `/api/v1/users/${alice.id}`, {
      as: admin,
      body: { name: "Alice B", role: "viewer" },
    });
    expect(await upd.json()).toMatchObject({ name: "Alice B", role: "viewer" });
    await h.signIn("alice@example.com", "a long enough password");
    await h.call("PATCH", `/api/v1/users/${alice.id}`, {
      as: admin,
      body: { password: "the admin reset this one" },
    });
    await h.signIn("alice@example.com", "the admin reset this one");

    expect((await h.call("DELETE", `/api/v1/users/${alice.id}`, { as: admin })).status).toBe(204);
    expect((await h.call("GET", `/api/v1/users/${alice.id}`, { as: admin })).status).toBe(404);
  });

  it("refuses a duplicate email with 409", async () => {
    const body = { email: "dup@example.com", name: "D", role: "viewer", password: "a long enough password" };
    expect((await h.call("POST", "/api/v1/users", { as: admin, body })).status).toBe(201);
    const again = await h.call("POST", "/api/v1/users", {
      as: admin,
      body: { ...body, email: "DUP@example.com" },
    });
    expect(again.status).toBe(409);
    expect((await again.json()).error.message).toMatch(/already exists/);
  });

  it("never demotes, disables or deletes the last active admin", async () => {
    const list = await (await h.call("GET", "/api/v1/users", { as: admin })).json();
    const root = list.items.find((u: { email: string }) => u.email === "root@example.com");
    for (const [method, body] of [
      ["PATCH", { role: "operator" }],
      ["PATCH", { disabled: true }],
      ["DELETE", undefined],
    ] as const) {
      const res = await h.call(method, `/api/v1/users/${root.id}`, { as: admin, body });
      expect(res.status).toBe(409);
      expect((await res.json()).error.message).toMatch(/last active admin/);
    }
    expect((await h.call("GET", "/api/v1/auth/me", { as: admin })).status).toBe(200);
  });

  it("never leaves zero active admins when the last two demote, disable or delete each other at once", async () => {
    const changes = [
      ["PATCH", { role: "viewer" }],
      ["PATCH", { disabled: true }],
      ["DELETE", undefined],
    ] as const;
    for (const [m1, b1] of changes) {
      for (const [m2, b2] of changes) {
        const h2 = await makeHarness();
        try {
          const a = await h2.user("admin");
          const b = await h2.user("admin");
          const [ta, tb] = [await h2.token(a, ["admin"]), await h2.token(b, ["admin"])];
          const [ra, rb] = await Promise.all([
            h2.call(m1, `/api/v1/users/${b.id}`, { as: ta, body: b1 }),
            h2.call(m2, `/api/v1/users/${a.id}`, { as: tb, body: b2 }),
          ]);
          const label = `${m1} ${JSON.stringify(b1)} / ${m2} ${JSON.stringify(b2)}`;
          const ok = [ra, rb].filter((r) => r.status < 300);
          expect(ok, label).toHaveLength(1);
          // The other was refused: 409 (last admin), or 401/403 if its caller had already lost admin.
          expect([409, 403, 401], label).toContain([ra, rb].find((r) => r.status >= 300)!.status);
          const left = await h2.db
            .select()
            .from(users)
            .where(and(eq(users.role, "admin"), eq(users.disabled, false)));
          expect(left, label).toHaveLength(1);
        } finally {
          h2.close();
        }
      }
    }
  }, 120_000);
});
