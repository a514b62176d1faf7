// main.ts as its own process: prints its URL, serves clients, stops cleanly on SIGTERM, and
// refuses bad arguments with a usage message.
import { execFile } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { createClient } from "@libsql/client";
import { afterAll, expect, it } from "vitest";
import { type LibsqlServerProcess, spawnLibsqlServer } from "../src/index.ts";
import { TOKEN } from "./support.ts";

const run = promisify(execFile);
const dir = mkdtempSync(join(tmpdir(), "pylon-libsql-cli-"));
let server: LibsqlServerProcess | undefined;

afterAll(async () => {
  await server?.stop("SIGKILL");
  rmSync(dir, { recursive: true, force: true });
});

it("serves the database it was given until SIGTERM, which it exits from with 0", async () => {
  server = await spawnLibsqlServer({ dbPath: join(dir, "db.sqlite"), authToken: TOKEN });
  expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
  const c = createClient({ url: server.url, authToken: TOKEN });
  await c.execute("CREATE TABLE t (a)");
  await c.execute("INSERT INTO t VALUES ('kept')");
  c.close();
  expect(await server.stop()).toBe(0);

  // A new process on the same file sees the data.
  server = await spawnLibsqlServer({ dbPath: join(dir, "db.sqlite"), authToken: TOKEN });
  const again = createClient({ url: server.url, authToken: TOKEN });
  expect((await again.execute("SELECT a FROM t")).rows[0]?.a).toBe("kept");
  again.close();
  expect(await server.stop()).toBe(0);
});

it("refuses bad arguments with a usage message and exit code 2", async () => {
  const main = fileURLToPath(new URL("../main.ts", import.meta.url));
  for (const [args, message] of [
    [["--port", "0"], /--db is required/],
    [["--db", join(dir, "x.db"), "--port", "http"], /--port: not a port: http/],
    [["--db", join(dir, "x.db"), "--verbose", "1"], /unknown option --verbose/],
  ] as const) {
    const err = await run(process.execPath, ["--import", import.meta.resolve("tsx"), main, ...args]).catch(
      (e: { code: number; stderr: string }) => e,
    );
    expect(err).toMatchObject({ code: 2 });
    expect((err as { stderr: string }).stderr).toMatch(message);
    expect((err as { stderr: string }).stderr).toMatch(/usage: main\.ts --db <file>/);
  }
});
