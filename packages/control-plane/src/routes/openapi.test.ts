import { Validator } from "@seriousme/openapi-schema-validator";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Harness, makeHarness } from "../testing/harness.ts";

let h: Harness;
beforeAll(async () => {
  h = await makeHarness();
});
afterAll(() => h.close());

describe("OpenAPI document", () => {
  it("is a valid OpenAPI 3.1 document with security schemes", async () => {
    const res = await h.call("GET", "/api/v1/openapi.json");
    expect(res.status).toBe(200);
    const doc = await res.json();
    expect(doc.openapi).toBe("3.1.0");
    const result = await new Validator().validate(doc);
    expect(result.errors ?? []).toEqual([]);
    expect(result.valid).toBe(true);
    expect(Object.keys(doc.components.securitySchemes).sort()).toEqual(["bearerAuth", "cookieAuth"]);
    expect(doc.paths["/api/v1/users"].get.security).toEqual([{ bearerAuth: [] }, { cookieAuth: [] }]);
    expect(doc.paths["/api/v1/auth/login"].post.security).toEqual([]);
  });

  it("serves interactive docs from our own origin", async () => {
    const res = await h.call("GET", "/api/docs");
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain("/api-docs/swagger-ui-bundle.js");
    expect(html).not.toMatch(/https?:\/\//);
  });
});
