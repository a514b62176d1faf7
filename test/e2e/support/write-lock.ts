// A second real process that holds a database's write lock (BEGIN IMMEDIATE) for a while, as
// another Pylon process, a backup tool or a migration would.
import { spawn } from "node:child_process";
import { ROOT } from "./server.ts";

export interface HeldLock {
  pid: number;
  /** Resolves once the lock is released (the child committed and exited). */
  released: Promise<void>;
  /** Kills the child (by PID) if it still runs. */
  stop(): Promise<void>;
}

// Runs in the child: open the file, take the write lock, report, hold, commit.
const CHILD = `
import { createClient } from "@libsql/client";
const [path, ms] = process.argv.slice(-2);
const db = createClient({ url: "file:" + path });
const tx = await db.transaction("write");
await tx.execute("select count(*) from jobs");
process.stdout.write("locked\\n");
await new Promise((r) => setTimeout(r, Number(ms)));
await tx.commit();
db.close();
process.stdout.write("released\\n");
`;

/** Starts a process holding `dbPath`'s write lock for `ms`; resolves once it holds it. */
export async function holdWriteLock(dbPath: string, ms: number): Promise<HeldLock> {
  const child = spawn(process.execPath, ["--input-type=module", "-e", CHILD, "--", dbPath, String(ms)], {
    cwd: ROOT,
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  child.stdout.on("data", (d) => (out += d));
  child.stderr.on("data", (d) => (out += d));
  const exited = new Promise<void>((r) => child.once("exit", () => r()));
  await new Promise<void>((resolve, reject) => {
    const check = () => {
      if (out.includes("locked\n")) resolve();
    };
    child.stdout.on("data", check);
    child.once("exit", (code) => reject(new Error(`the lock holder exited with ${code}: ${out}`)));
  });
  return {
    pid: child.pid ?? 0,
    released: exited,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill("SIGKILL");
      await exited;
    },
  };
}
