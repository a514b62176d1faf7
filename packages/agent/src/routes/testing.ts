import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import http from "node:http";
import https from "node:https";
import { type AddressInfo, createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";

// Test helpers for the routes module: a real Caddy of its own (never the system service) and
// HTTPS requests that verify Caddy's internal CA.

/** Whether a `caddy` binary is installed (Debian package `caddy`). */
export function caddyInstalled(): boolean {
  return spawnSync("caddy", ["version"], { stdio: "ignore" }).status === 0;
}

/** A free TCP port on 127.0.0.1 (closed again; a small race accepted in tests). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address() as AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

/** A running test Caddy. */
export interface TestCaddy {
  adminUrl: string;
  httpsPort: number;
  httpPort: number;
  pid: number;
  /** Caddy's internal root CA (PEM), once it has issued something. */
  rootCa(): Promise<string>;
  /** What Caddy printed (for failure messages). */
  log(): string;
  stop(): Promise<void>;
}

/**
 * Starts `caddy run --config <file>` with its own admin address, free ports for HTTP/HTTPS and
 * XDG_DATA_HOME/XDG_CONFIG_HOME/HOME in a temp dir, so its internal CA lives there.
 */
export async function startCaddy(): Promise<TestCaddy> {
  const dir = await mkdtemp(join(tmpdir(), "pylon-caddy-"));
  const [adminPort, httpsPort, httpPort] = [await freePort(), await freePort(), await freePort()];
  const configFile = join(dir, "caddy.json");
  await writeFile(
    configFile,
    JSON.stringify({ admin: { listen: `127.0.0.1:${adminPort}`, config: { persist: false } } }),
  );
  let output = "";
  const child: ChildProcess = spawn("caddy", ["run", "--config", configFile], {
    env: {
      PATH: process.env.PATH ?? "/usr/bin:/bin",
      HOME: dir,
      XDG_DATA_HOME: join(dir, "data"),
      XDG_CONFIG_HOME: join(dir, "config"),
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  child.stdout?.on("data", (c: Buffer) => (output += c.toString()));
  child.stderr?.on("data", (c: Buffer) => (output += c.toString()));
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const adminUrl = `http://127.0.0.1:${adminPort}`;
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null && child.pid) {
      process.kill(child.pid, "SIGTERM");
      const timer = setTimeout(() => child.pid && process.kill(child.pid, "SIGKILL"), 5000);
      await exited;
      clearTimeout(timer);
    }
    await rm(dir, { recursive: true, force: true });
  };
  try {
    for (let i = 0; ; i++) {
      if (child.exitCode !== null) throw new Error(`caddy exited at start:\n${output}`);
      if (await reachable(adminUrl)) break;
      if (i > 200) throw new Error(`caddy's admin API did not come up:\n${output}`);
      await new Promise((r) => setTimeout(r, 50));
    }
  } catch (err) {
    await stop();
    throw err;
  }
  const rootPath = join(dir, "data", "caddy", "pki", "authorities", "local", "root.crt");
  return {
    adminUrl,
    httpsPort,
    httpPort,
    pid: child.pid ?? 0,
    rootCa: async () => {
      for (let i = 0; i < 400 && !existsSync(rootPath); i++) await new Promise((r) => setTimeout(r, 50));
      return readFile(rootPath, "utf8");
    },
    log: () => output,
    stop,
  };
}

function reachable(adminUrl: string): Promise<boolean> {
  return new Promise((resolve) => {
    const req = http.get(`${adminUrl}/config/`, (res) => {
      res.resume();
      resolve(res.statusCode === 200);
    });
    req.on("error", () => resolve(false));
  });
}

/** An answer fetched through Caddy. */
export interface Fetched {
  status: number;
  body: string;
}

/**
 * GET https://<host>:<port>/ with the name resolved to 127.0.0.1 by a custom lookup, SNI set
 * to the name, and the certificate verified against the given CA only.
 */
export function httpsGet(host: string, port: number, ca: string, path = "/"): Promise<Fetched> {
  return new Promise((resolve, reject) => {
    const req = https.request(
      {
        host,
        port,
        path,
        servername: host,
        ca,
        agent: false,
        lookup: (_name, opts, cb) => {
          if (typeof opts === "object" && opts.all) cb(null, [{ address: "127.0.0.1", family: 4 }]);
          else cb(null, "127.0.0.1", 4);
        },
      },
      (res) => {
        let body = "";
        res.on("data", (c: Buffer) => (body += c.toString()));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, body }));
      },
    );
    req.setTimeout(10_000, () => req.destroy(new Error("timeout")));
    req.on("error", reject);
    req.end();
  });
}

/** A tiny HTTP server on a guest-like loopback address that answers with a fixed text. */
export async function startApp(
  address: string,
  text: string,
): Promise<{ port: number; close(): Promise<void> }> {
  const server = http.createServer((_req, res) => res.end(text));
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(0, address, () => resolve());
  });
  return {
    port: (server.address() as AddressInfo).port,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
