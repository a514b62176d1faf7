import { afterAll, beforeAll, describe, expect, it } from "vitest";
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
});
