import { afterEach, describe, expect, it } from "vitest";
import { bootstrapAdmin } from "../../runtime/bootstrap.ts";
import { type Harness, makeHarness } from "../../testing/harness.ts";

let h: Harness | undefined;
afterEach(() => h?.close());

const admin = { email: "first@example.com", name: "First", password: "first admin password" };

function tokenOf(line: string | null): string {
  const m = /#token=([a-z2-7]+)/.exec(line ?? "");
  if (!m?.[1]) throw new Error(`no setup link in ${line}`);
  return m[1];
}

describe("first-run setup", () => {
  it("creates the admin once with the printed link, signs them in, then closes", async () => {
    h = await makeHarness();
    expect(await (await h.call("GET", "/api/v1/setup")).json()).toEqual({ needed: true });
    const line = await bootstrapAdmin(h.deps, { name: "Admin", baseUrl: "http://pylon.test" });
    expect(line).toContain("http://pylon.test/setup#token=");
    const token = tokenOf(line);

    const wrong = await h.call("POST", "/api/v1/setup", { body: { ...admin, token: "not-the-token" } });
    expect(wrong.status).toBe(403);
    const ok = await h.call("POST", "/api/v1/setup", { body: { ...admin, token } });
    expect(ok.status).toBe(201);
    expect((await ok.json()).user).toMatchObject({ email: admin.email, role: "admin" });
    const cookie = ok.headers
      .getSetCookie()
      .map((c) => c.split(";")[0])
      .join("; ");
    expect((await h.call("GET", "/api/v1/auth/me", { as: { cookie, csrf: "" } })).status).toBe(200);

    const again = await h.call("POST", "/api/v1/setup", {
      body: { ...admin, email: "second@example.com", token },
    });
    expect(again.status).toBe(409);
    expect(await (await h.call("GET", "/api/v1/setup")).json()).toEqual({ needed: false });
    expect(await bootstrapAdmin(h.deps, { name: "Admin", baseUrl: "http://pylon.test" })).toBeNull();
  });

  it("refuses an expired link", async () => {
    h = await makeHarness();
    const token = tokenOf(await bootstrapAdmin(h.deps, { name: "Admin", baseUrl: "http://x" }));
    h.clock.now += 60 * 60_000 + 1;
    const res = await h.call("POST", "/api/v1/setup", { body: { ...admin, token } });
    expect(res.status).toBe(403);
    expect((await res.json()).error.message).toMatch(/expired/);
  });

  it("creates the admin non-interactively from bootstrap credentials and prints no link", async () => {
    h = await makeHarness();
    const line = await bootstrapAdmin(h.deps, { ...admin, name: "Boot", baseUrl: "http://x" });
    expect(line).toBeNull();
    await h.signIn(admin.email, admin.password);
  });
});
