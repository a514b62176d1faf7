import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Harness, makeHarness } from "../../testing/harness.ts";

let h: Harness;
beforeAll(async () => {
  h = await makeHarness({ apps: { domain: "apps.example.com", httpsPort: 8443 } });
});
afterAll(() => h.close());

describe("GET /api/v1/settings", () => {
  it("tells any signed-in user where apps are served, and nobody else", async () => {
    const viewer = await h.token(await h.user("viewer"), ["read"]);
    const res = await h.call("GET", "/api/v1/settings", { as: viewer });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ apps: { domain: "apps.example.com", httpsPort: 8443 } });
    expect((await h.call("GET", "/api/v1/settings")).status).toBe(401);
  });
});
