import { describe, expect, it } from "vitest";
import { nodeServerErrors, parseConfig } from "./config.ts";

describe("configuration", () => {
  it("has working defaults", () => {
    const r = parseConfig({});
    expect(r).toEqual({
      config: expect.objectContaining({
        PYLON_PORT: 8787,
        PYLON_HOST: "127.0.0.1",
        PYLON_DATABASE_URL: "file:./data/pylon.db",
        PYLON_TRUST_PROXY: false,
      }),
    });
  });

  it("accepts remote libSQL URLs", () => {
    for (const url of ["libsql://db.turso.io", "https://sqld.example.com", "http://127.0.0.1:8080"]) {
      expect(parseConfig({ PYLON_DATABASE_URL: url })).toHaveProperty("config");
    }
  });

  it("names every bad variable", () => {
    const r = parseConfig({
      PYLON_PORT: "70000",
      PYLON_PUBLIC_URL: "ftp://x",
      PYLON_SECRET_KEY: "short",
      PYLON_ADMIN_PASSWORD: "long enough password",
      PYLON_TRUST_PROXY: "maybe",
    });
    expect("errors" in r && r.errors.map((e) => e.split(":")[0])).toEqual([
      "PYLON_PORT",
      "PYLON_PUBLIC_URL",
      "PYLON_SECRET_KEY",
      "PYLON_TRUST_PROXY",
      "PYLON_ADMIN_EMAIL and PYLON_ADMIN_PASSWORD",
    ]);
  });

  it("ignores empty values and non-Pylon variables", () => {
    expect(parseConfig({ PYLON_PORT: "", HOME: "/root" })).toHaveProperty("config.PYLON_PORT", 8787);
  });

  it("asks the Node server for a shared secret key when the database is a libSQL server", () => {
    const remote = parseConfig({ PYLON_DATABASE_URL: "libsql://db.turso.io" });
    if (!("config" in remote)) throw new Error("remote URL refused");
    expect(nodeServerErrors(remote.config)).toEqual([
      expect.stringMatching(/^PYLON_SECRET_KEY: must be set when/),
    ]);
    const keyed = parseConfig({
      PYLON_DATABASE_URL: "libsql://db.turso.io",
      PYLON_SECRET_KEY: "k".repeat(32),
    });
    expect("config" in keyed && nodeServerErrors(keyed.config)).toEqual([]);
    const file = parseConfig({});
    expect("config" in file && nodeServerErrors(file.config)).toEqual([]);
  });
});
