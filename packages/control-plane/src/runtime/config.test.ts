import { describe, expect, it } from "vitest";
import { nodeServerErrors, parseConfig, retentionOf } from "./config.ts";

describe("configuration", () => {
  it("has working defaults", () => {
    const r = parseConfig({});
    expect(r).toEqual({
      config: expect.objectContaining({
        PYLON_PORT: 8787,
        PYLON_HOST: "127.0.0.1",
        PYLON_DATABASE_URL: "file:./data/pylon.db",
        PYLON_TRUST_PROXY: 0,
      }),
    });
  });

  it("reads PYLON_TRUST_PROXY as the number of trusted proxies in front", () => {
    const hops = (v: string) =>
      (parseConfig({ PYLON_TRUST_PROXY: v }) as { config: { PYLON_TRUST_PROXY: number } }).config
        .PYLON_TRUST_PROXY;
    expect([hops("false"), hops("0"), hops("true"), hops("1"), hops("2"), hops("10")]).toEqual([
      0, 0, 1, 1, 2, 10,
    ]);
    expect(parseConfig({ PYLON_TRUST_PROXY: "11" })).toHaveProperty("errors");
    expect(parseConfig({ PYLON_TRUST_PROXY: "-1" })).toHaveProperty("errors");
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

  it("reads retention settings, with defaults, and refuses nonsense naming the variable", () => {
    const d = parseConfig({});
    expect("config" in d && retentionOf(d.config)).toEqual({ auditDays: 180, jobDays: 90, keepDeploys: 10 });
    const set = parseConfig({
      PYLON_AUDIT_RETENTION_DAYS: "30",
      PYLON_JOB_RETENTION_DAYS: "7",
      PYLON_JOB_KEEP_DEPLOYS: "3",
    });
    expect("config" in set && retentionOf(set.config)).toEqual({ auditDays: 30, jobDays: 7, keepDeploys: 3 });
    const bad = parseConfig({
      PYLON_AUDIT_RETENTION_DAYS: "0",
      PYLON_JOB_RETENTION_DAYS: "forever",
      PYLON_JOB_KEEP_DEPLOYS: "2.5",
    });
    expect("errors" in bad && bad.errors).toEqual([
      "PYLON_AUDIT_RETENTION_DAYS: must be a number of days from 1 to 36500",
      "PYLON_JOB_RETENTION_DAYS: must be a number of days from 1 to 36500",
      "PYLON_JOB_KEEP_DEPLOYS: must be a whole number from 1 to 1000",
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
