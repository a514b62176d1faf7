import { describe, expect, it } from "vitest";
import { MASK, masker, secretValues } from "./secret-mask.ts";

describe("masking a job's secret values", () => {
  it("takes an app deploy's secret variables, deploy key and catalog passwords, and nothing of other kinds", () => {
    const params = {
      name: "web",
      secrets: { API_KEY: "key-123456", SHORT: "ab" },
      deployKey: "-----BEGIN KEY-----\nAAAAB3NzaC1yc2EAAAADAQABAAABAQ\n-----END KEY-----\n",
      mask: ["generated-db-password"],
      env: { PLAIN: "visible" },
    };
    expect(secretValues("app.deploy", params)).toEqual([
      "key-123456",
      "ab",
      params.deployKey,
      "generated-db-password",
    ]);
    expect(secretValues("app.action", params)).toEqual([]);
    expect(secretValues("app.deploy", null)).toEqual([]);
  });

  it("masks every occurrence, longest first, and long lines of a multi-line key on their own", () => {
    const mask = masker([
      "pa55word",
      "pa55word-and-more",
      "ab",
      "-----BEGIN KEY-----\nAAAAB3NzaC1yc2EAAAADAQABAAABAQ\n-----END KEY-----\n",
    ]);
    expect(mask("psql: password pa55word-and-more rejected; retry pa55word")).toBe(
      `psql: password ${MASK} rejected; retry ${MASK}`,
    );
    expect(mask("Load key: AAAAB3NzaC1yc2EAAAADAQABAAABAQ: invalid format")).toBe(
      `Load key: ${MASK}: invalid format`,
    );
    // Values under four characters would blank out ordinary words.
    expect(mask("absent")).toBe("absent");
    expect(masker([])("unchanged")).toBe("unchanged");
  });
});
