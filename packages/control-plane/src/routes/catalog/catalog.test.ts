import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Harness, makeHarness } from "../../testing/harness.ts";

let h: Harness;
let viewer: string;
beforeAll(async () => {
  h = await makeHarness();
  viewer = await h.token(await h.user("viewer"), ["read"]);
});
afterAll(() => h.close());

describe("catalog API", () => {
  it("lists at least 20 apps without their templates, searchable and by category", async () => {
    const all = await (await h.call("GET", "/api/v1/catalog", { as: viewer })).json();
    expect(all.items.length).toBeGreaterThanOrEqual(20);
    expect(all.items[0]).not.toHaveProperty("compose");
    const ids = all.items.map((e: { id: string }) => e.id);
    for (const id of ["nginx", "wordpress", "gitea", "vaultwarden", "nextcloud"]) expect(ids).toContain(id);
    const found = await (await h.call("GET", "/api/v1/catalog?q=GIT", { as: viewer })).json();
    expect(found.items.map((e: { id: string }) => e.id)).toContain("gitea");
    const bad = await h.call("GET", "/api/v1/catalog?category=nope", { as: viewer });
    expect(bad.status).toBe(400);
  });

  it("returns one entry with parameters and its compose template; 404 for unknown ids", async () => {
    const wp = await (await h.call("GET", "/api/v1/catalog/wordpress", { as: viewer })).json();
    expect(wp.compose).toMatch(/services:/);
    expect(Array.isArray(wp.parameters)).toBe(true);
    expect((await h.call("GET", "/api/v1/catalog/not-an-app", { as: viewer })).status).toBe(404);
    expect((await h.call("GET", "/api/v1/catalog")).status).toBe(401);
  });
});
