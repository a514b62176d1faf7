// A private Docker engine for one test run (COMMON.md): its own socket, data, exec root and
// pidfile under a temp folder, no bridge and no iptables; stopped by its PID.
import { type ChildProcess, execFile, spawn } from "node:child_process";
import { existsSync, mkdirSync, openSync, rmSync } from "node:fs";
import { join } from "node:path";

export const DOCKERD = "/usr/sbin/dockerd";
export const DOCKER = "/usr/bin/docker";

export interface Dockerd {
  host: string;
  docker(
    args: string[],
    opts?: { timeoutMs?: number; input?: string },
  ): Promise<{ code: number; stdout: string; stderr: string }>;
  stop(): Promise<void>;
}

/** Runs the Docker CLI against one engine; never throws for a non-zero exit. */
function cli(host: string, args: string[], timeoutMs = 600_000) {
  return new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    execFile(
      DOCKER,
      ["-H", host, ...args],
      { timeout: timeoutMs, maxBuffer: 64 << 20, env: { ...process.env, DOCKER_BUILDKIT: "0" } },
      (err, stdout, stderr) =>
        resolve({ code: err ? ((err as { code?: number }).code ?? 1) : 0, stdout, stderr }),
    );
  });
}

/** Starts dockerd in `dir` and waits until it answers. */
export async function startDockerd(dir: string): Promise<Dockerd> {
  mkdirSync(dir, { recursive: true });
  const sock = join(dir, "docker.sock");
  const host = `unix://${sock}`;
  const log = openSync(join(dir, "dockerd.log"), "a");
  const child: ChildProcess = spawn(
    DOCKERD,
    [
      "--host",
      host,
      "--data-root",
      join(dir, "data"),
      "--exec-root",
      join(dir, "exec"),
      "--pidfile",
      join(dir, "docker.pid"),
      "--bridge",
      "none",
      "--iptables=false",
      "--ip6tables=false",
      "--ip-masq=false",
    ],
    { stdio: ["ignore", log, log] },
  );
  const exited = new Promise<void>((resolve) => child.once("exit", () => resolve()));
  const stop = async () => {
    if (child.exitCode === null && child.pid) {
      child.kill("SIGTERM");
      const timer = setTimeout(() => child.kill("SIGKILL"), 30_000);
      await exited;
      clearTimeout(timer);
    }
  };
  for (let i = 0; i < 600; i++) {
    if (child.exitCode !== null)
      throw new Error(`dockerd exited (${child.exitCode}); see ${join(dir, "dockerd.log")}`);
    if (
      existsSync(sock) &&
      (await cli(host, ["version", "--format", "{{.Server.Version}}"], 10_000)).code === 0
    )
      return { host, docker: (args, o) => cli(host, args, o?.timeoutMs), stop };
    await new Promise((r) => setTimeout(r, 100));
  }
  await stop();
  throw new Error("dockerd did not answer within a minute");
}

/** Removes a stopped engine's folder; dockerd leaves its default netns bind mount behind. */
export async function removeDockerdDir(dir: string): Promise<void> {
  await new Promise<void>((resolve) =>
    execFile("umount", ["-l", join(dir, "engine", "exec", "netns", "default")], () => resolve()),
  );
  rmSync(dir, { recursive: true, force: true });
}
