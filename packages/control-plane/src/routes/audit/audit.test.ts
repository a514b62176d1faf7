import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Harness, makeHarness, TEST_PASSWORD } from "../../testing/harness.ts";

let h: Harness;
beforeAll(async () => {
  h = await makeHarness();
});
afterAll(() => h.close());

type Entry = {
  action: string;
  actorId: string | null;
  actorType: string;
  target: string | null;
  result: string;
  status: number;
  requestId: string;
  ip: string | null;
  userAgent: string | null;
};

async function audit(as: string, query = ""): Promise<{ items: Entry[]; nextCursor: string | null }> {
  const res = await h.call("GET", `/api/v1/audit${query}`, { as });
  expect(res.status).toBe(200);
  return res.json();
}

describe("audit log", () => {
  it("records every mutating request once, successes and refusals, without secrets", async () => {
    const admin = await h.user("admin");
    const reader = await h.token(admin, ["admin"]);
    const b = await h.signIn(admin.email);
    const created = await h.call("POST", "/api/v1/users", {
      as: b,
      body: { email: "new@example.com", name: "New", role: "viewer", password: "super secret password 1" },
      headers: { "user-agent": "pylon-test/1.0", "x-test-ip": "192.0.2.7" },
    });
    const newUser = await created.json();
    await h.call("POST", "/api/v1/auth/login", {
      body: { email: "new@example.com", password: "wrong password!!" },
    });
    const viewer = await h.signIn("new@example.com", "super secret password 1");
    const denied = await h.call("DELETE", `/api/v1/users/${admin.id}`, { as: viewer });
    expect(denied.status).toBe(403);

    const { items } = await audit(reader);
    const create = items.find((e) => e.action === "users.create")!;
    expect(create).toMatchObject({
      actorType: "user",
      actorId: admin.id,
      target: newUser.id,
      result: "success",
      status: 201,
      ip: "192.0.2.7",
      userAgent: "pylon-test/1.0",
      requestId: created.headers.get("x-request-id"),
    });
    expect(items.find((e) => e.action === "auth.login" && e.result === "failure")).toMatchObject({
      actorType: "anonymous",
      target: "new@example.com",
      status: 401,
    });
    expect(items.find((e) => e.action === "users.delete")).toMatchObject({
      actorId: newUser.id,
      result: "failure",
      status: 403,
    });
    const text = JSON.stringify(items);
    expect(text).not.toContain("super secret password");
    expect(text).not.toContain(TEST_PASSWORD);
    expect(text).not.toContain("wrong password");
    // Reads are not audited.
    expect(items.some((e) => e.action.includes("list") || (e.status === 200 && e.action === "auth.me"))).toBe(
      false,
    );
  });

  it("filters by actor, action prefix, target and time, and pages by cursor", async () => {
    const admin = await h.user("admin");
    const t = await h.token(admin, ["admin"]);
    const start = h.clock.now;
    for (let i = 0; i < 7; i++) {
      h.clock.now += 1000;
      await h.call("POST", "/api/v1/tokens", { as: t, body: { name: `n${i}`, scopes: ["read"] } });
    }
    const tokenId = (await (await h.call("GET", "/api/v1/auth/me", { as: t })).json()).token.id;
    const page1 = await audit(t, `?actor=${tokenId}&limit=3`);
    expect(page1.items).toHaveLength(3);
    expect(page1.nextCursor).not.toBeNull();
    const page2 = await audit(t, `?actor=${tokenId}&limit=3&cursor=${page1.nextCursor}`);
    const page3 = await audit(t, `?actor=${tokenId}&limit=3&cursor=${page2.nextCursor}`);
    expect(page3.items).toHaveLength(1);
    expect(page3.nextCursor).toBeNull();
    const all = [...page1.items, ...page2.items, ...page3.items];
    expect(new Set(all.map((e) => e.requestId)).size).toBe(7);
    expect(all.every((e) => e.actorType === "token" && e.action === "tokens.create")).toBe(true);

    expect((await audit(t, "?action=tokens.")).items.length).toBeGreaterThanOrEqual(7);
    expect((await audit(t, "?action=tokens")).items).toHaveLength(0);
    const since = new Date(start + 5500).toISOString();
    expect((await audit(t, `?actor=${tokenId}&since=${since}`)).items).toHaveLength(2);
    const target = all[0]!.target!;
    expect((await audit(t, `?target=${target}`)).items).toHaveLength(1);
  });

  it("is for admins only", async () => {
    const op = await h.user("operator");
    expect((await h.call("GET", "/api/v1/audit", { as: await h.token(op, ["write"]) })).status).toBe(403);
  });
});
