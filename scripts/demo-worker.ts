// `pnpm demo --worker`: the demo's control plane as a Cloudflare Worker in workerd (`wrangler dev
// --local`, no account) on a libSQL server (the test server, test/libsql-server), migrated by
// `pnpm db:migrate` as a Workers deployment is. Nothing here talks to Cloudflare.
import { execFile } from "node:child_process";
import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { promisify } from "node:util";
import { spawnLibsqlServer } from "@pylon/libsql-server";
import { startWorker } from "../test/e2e/support/worker.ts";

const run = promisify(execFile);

/** Starts the database server, migrates it, and serves the Worker on `port`; `stop` ends both. */
export async function startWorkerDemo(opts: {
  root: string;
  dataDir: string;
  port: number;
  env: Record<string, string>;
  log: string;
}): Promise<{ stop: () => Promise<void> }> {
  const authToken = randomBytes(18).toString("base64url");
  const libsql = await spawnLibsqlServer({ dbPath: join(opts.dataDir, "pylon.db"), authToken });
  const db = {
    PYLON_DATABASE_URL: libsql.url,
    PYLON_DATABASE_AUTH_TOKEN: authToken,
    PYLON_SECRET_KEY: randomBytes(32).toString("base64url"),
  };
  try {
    await run("pnpm", ["--silent", "db:migrate"], { cwd: opts.root, env: { ...process.env, ...db } });
    const worker = await startWorker(
      join(opts.dataDir, "worker"),
      { ...opts.env, ...db },
      {
        port: opts.port,
        log: opts.log,
      },
    );
    const stop = async () => {
      await worker.stop();
      await libsql.stop();
    };
    return { stop };
  } catch (err) {
    await libsql.stop();
    throw err;
  }
}
