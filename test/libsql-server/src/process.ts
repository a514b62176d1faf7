// Runs the server as its own process (as Workers under `wrangler dev` and several Pylon
// processes need it), and stops it by PID.
import { type ChildProcess, spawn } from "node:child_process";
import { fileURLToPath } from "node:url";

const MAIN = fileURLToPath(new URL("../main.ts", import.meta.url));

export interface LibsqlServerProcess {
  url: string;
  pid: number;
  child: ChildProcess;
  /** What the process wrote to stdout and stderr so far. */
  output: () => string;
  /** Sends `signal` (SIGTERM by default) and resolves with the exit code; SIGKILL after 5 s. */
  stop: (signal?: NodeJS.Signals) => Promise<number | null>;
}

/** Starts `main.ts` on a free port and resolves once it has printed its URL. */
export async function spawnLibsqlServer(opts: {
  dbPath: string;
  authToken?: string;
  host?: string;
}): Promise<LibsqlServerProcess> {
  const args = ["--import", import.meta.resolve("tsx"), MAIN, "--db", opts.dbPath, "--port", "0"];
  if (opts.host) args.push("--host", opts.host);
  const child = spawn(process.execPath, args, {
    // The token goes by environment, not argv, which other users can read.
    env: { PATH: process.env.PATH ?? "", LIBSQL_SERVER_AUTH_TOKEN: opts.authToken ?? "" },
    stdio: ["ignore", "pipe", "pipe"],
  });
  let out = "";
  child.stdout.on("data", (d) => (out += d));
  child.stderr.on("data", (d) => (out += d));
  const exited = () => child.exitCode !== null || child.signalCode !== null;
  const stop = async (signal: NodeJS.Signals = "SIGTERM") => {
    if (!exited()) {
      const done = new Promise<void>((r) => child.once("exit", () => r()));
      child.kill(signal);
      const timer = setTimeout(() => child.kill("SIGKILL"), 5000);
      await done;
      clearTimeout(timer);
    }
    return child.exitCode;
  };
  try {
    const url = await new Promise<string>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`libsql server did not start within 20 s:\n${out}`)),
        20_000,
      );
      const check = () => {
        const m = /listening on (http:\/\/\S+)/.exec(out);
        if (!m) return;
        clearTimeout(timer);
        resolve(m[1]!);
      };
      child.stdout.on("data", check);
      child.once("exit", (code) => {
        clearTimeout(timer);
        reject(new Error(`libsql server exited with ${code}:\n${out}`));
      });
    });
    return { url, pid: child.pid!, child, output: () => out, stop };
  } catch (err) {
    await stop("SIGKILL");
    throw err;
  }
}
