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
  }, 30_000);

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

  it("writes one entry per burst of refusals, counting them, not one per request", async () => {
    const admin = await h.user("admin");
    const t = await h.token(admin, ["admin"]);
    const flood = (ip: string, n: number) =>
      Promise.all(
        Array.from({ length: n }, (_, i) =>
          h.call("POST", "/api/v1/users", {
            body: { email: `x${i}@example.com` },
            headers: { "x-test-ip": ip, "user-agent": "flooder" },
          }),
        ),
      );
    const start = h.clock.now;
    expect((await flood("198.51.100.1", 60)).every((r) => r.status === 401)).toBe(true);
    await flood("198.51.100.2", 5);
    h.clock.now += 11 * 60_000; // a new burst starts after ten minutes
    await flood("198.51.100.1", 3);
    const since = new Date(start).toISOString();
    const rows = (await audit(t, `?action=users.create&since=${since}`)).items as (Entry & {
      count: number;
      lastAt: string;
    })[];
    const byIp = (ip: string) => rows.filter((e) => e.ip === ip).map((e) => e.count);
    expect(byIp("198.51.100.1").sort((a, b) => a - b)).toEqual([3, 60]);
    expect(byIp("198.51.100.2")).toEqual([5]);
    const first = rows.find((e) => e.count === 60)!;
    expect(first).toMatchObject({
      actorType: "anonymous",
      status: 401,
      result: "failure",
      userAgent: "flooder",
    });
    expect(Date.parse(first.lastAt)).toBeGreaterThanOrEqual(start);
  });

  it("keeps a burst of failed sign-ins for different emails in one entry with no single target", async () => {
    const t = await h.token(await h.user("admin"), ["admin"]);
    const start = new Date(h.clock.now).toISOString();
    for (const email of ["a@example.com", "b@example.com", "c@example.com"])
      await h.call("POST", "/api/v1/auth/login", {
        body: { email, password: "a guess" },
        headers: { "x-test-ip": "198.51.100.9" },
      });
    // Strangers' failures of any kind are bursts too: setup after setup is done answers 409.
    for (let i = 0; i < 4; i++)
      await h.call("POST", "/api/v1/setup", {
        body: { token: "nope", email: "s@example.com", name: "S", password: "long enough password" },
        headers: { "x-test-ip": "198.51.100.9" },
      });
    const logins = (await audit(t, `?action=auth.login&since=${start}`)).items as (Entry & {
      count: number;
    })[];
    expect(logins.map((e) => [e.ip, e.count, e.target, e.status])).toEqual([["198.51.100.9", 3, null, 401]]);
    const setups = (await audit(t, `?action=setup.complete&since=${start}`)).items as (Entry & {
      count: number;
    })[];
    expect(setups.map((e) => [e.count, e.status])).toEqual([[4, 409]]);
  }, 30_000);
});
