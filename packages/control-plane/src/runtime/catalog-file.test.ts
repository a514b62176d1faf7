import { mkdtempSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, expect, it } from "vitest";
import { demoEntry } from "../../../../test/e2e/support/catalog-fixture.ts";
import { catalogFileReader } from "./catalog-file.ts";

const dir = mkdtempSync(join(tmpdir(), "pylon-catalog-file-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function logger() {
  const errors: string[] = [];
  const log = (level: string) => (msg: string) => {
    if (level === "error") errors.push(msg);
  };
  return {
    errors,
    logger: { info: log("info"), warn: log("warn"), error: log("error"), debug: log("debug") },
  };
}

it("reads entries, sees a new version when the file changes, and keeps the last good ones on a bad file", () => {
  const file = join(dir, "catalog.json");
  const { errors, logger: l } = logger();
  const read = catalogFileReader(file, l as never);
  expect(read()).toEqual([]);
  expect(errors).toEqual(["catalog file unreadable"]);

  writeFileSync(file, JSON.stringify([demoEntry("1.0.0")]));
  expect(read().map((e) => e.version)).toEqual(["1.0.0"]);

  writeFileSync(file, JSON.stringify([demoEntry("2.0.0")]));
  utimesSync(file, new Date(), new Date(Date.now() + 5_000));
  expect(read().map((e) => e.version)).toEqual(["2.0.0"]);

  writeFileSync(file, JSON.stringify([{ ...demoEntry("3.0.0"), version: "latest" }]));
  utimesSync(file, new Date(), new Date(Date.now() + 10_000));
  expect(read().map((e) => e.version)).toEqual(["2.0.0"]);
  expect(errors.at(-1)).toMatch(/invalid/);
});
