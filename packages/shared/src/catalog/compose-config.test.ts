// Runs the real docker-compose against rendered files, so it needs Node's types; shared code must not.
/// <reference types="node" />
import { spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { parse } from "yaml";
import { CATALOG_APPS, generateSecrets, renderCompose } from "./index.ts";

/**
 * The strongest check of a rendered file is compose's own: `docker-compose config` validates it
 * against the compose schema and performs interpolation. Debian's `docker-compose` package (or a
 * `docker compose` plugin) provides it; without one this suite is skipped and says so.
 */
function composeCommand(): string[] | null {
  for (const cmd of [["docker", "compose"], ["docker-compose"]]) {
    const r = spawnSync(cmd[0]!, [...cmd.slice(1), "version"], { encoding: "utf8" });
    if (r.status === 0) return cmd;
  }
  return null;
}

const compose = composeCommand();
const dir = mkdtempSync(join(tmpdir(), "pylon-compose-"));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function strings(node: unknown): string[] {
  if (typeof node === "string") return [node];
  if (Array.isArray(node)) return node.flatMap(strings);
  if (typeof node === "object" && node !== null) return Object.values(node).flatMap(strings);
  return [];
}

describe.skipIf(compose === null)("rendered catalog files under the real docker compose", () => {
  it.each(CATALOG_APPS.map((e) => [e.id, e] as const))(
    "%s is valid and interpolates nothing",
    (id, entry) => {
      // Secrets carrying every interpolation form compose knows, with variables that are unset.
      const secrets = Object.fromEntries(
        Object.entries(generateSecrets(entry)).map(([k, v]) => [
          k,
          `${v}$PYLON_UNSET_A\${PYLON_UNSET_B:-x}$$'"\n: y`,
        ]),
      );
      const file = join(dir, `${id}.yaml`);
      writeFileSync(file, renderCompose(entry, {}, secrets, { appUrl: `https://${id}.pylon.internal` }));
      const r = spawnSync(compose![0]!, [...compose!.slice(1), "-f", file, "-p", "pylon-test", "config"], {
        encoding: "utf8",
        env: { PATH: process.env.PATH ?? "/usr/bin:/bin" },
      });
      expect(r.stderr, id).not.toMatch(/PYLON_UNSET|variable is not set/);
      expect(r.status, `${id}: ${r.stderr}`).toBe(0);
      // `config` prints a compose file again, so literal dollars come back escaped as `$$`.
      const printed = strings(parse(r.stdout)).map((s) => s.replaceAll("$$", "$"));
      for (const value of Object.values(secrets)) expect(printed, id).toContain(value);
    },
  );
});
