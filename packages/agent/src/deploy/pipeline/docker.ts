import type { CommandRunner } from "../../runners/types.ts";
import { type DeployRun, exec } from "./context.ts";
import { StepFailure } from "./steps.ts";

const APT_ENV = { DEBIAN_FRONTEND: "noninteractive" };

/**
 * Installs Debian packages in the guest (apt-get, noninteractive). First waits for cloud-init
 * to finish where it runs (a VM's first boot): its package work (an upgrade, the guest agent)
 * holds the dpkg lock, and apt-get would fail with "Could not get lock".
 */
export async function aptInstall(runner: CommandRunner, packages: string[], live?: DeployRun): Promise<void> {
  await runner.run(
    [
      "sh",
      "-c",
      "command -v cloud-init >/dev/null 2>&1 || exit 0; cloud-init status --wait >/dev/null 2>&1; exit 0",
    ],
    { timeoutMs: 900_000, ...(live ? { signal: live.ctx.signal } : {}) },
  );
  await exec(runner, ["apt-get", "update"], "apt-get update", { env: APT_ENV, timeoutMs: 600_000, live });
  await exec(
    runner,
    ["apt-get", "install", "-y", "--no-install-recommends", ...packages],
    "apt-get install",
    { env: APT_ENV, timeoutMs: 1_200_000, live },
  );
}

/**
 * Makes sure Docker runs containers in the guest: installs docker.io (and a compose) from
 * Debian when `docker` is missing, then proves it with `docker run --rm hello-world` — inside
 * an LXC, runc/AppArmor breakage shows up only when a container actually starts (PVE-API.md §4).
 * Records whether compose is the `docker compose` plugin or the older `docker-compose`.
 */
export async function bootstrapDocker(run: DeployRun): Promise<string> {
  const runner = await run.runner();
  let tools = await dockerTools(runner);
  if (tools === "no-docker") {
    await run.ctx.log("info", "docker is missing in the guest; installing docker.io from Debian");
    await aptInstall(runner, ["docker.io", "docker-compose", "ca-certificates", "git"], run);
    tools = await dockerTools(runner);
    if (tools === "no-docker") throw new StepFailure("docker.io was installed but `docker` is not on PATH");
  }
  const hello = await exec(runner, ["docker", "run", "--rm", "hello-world"], "docker run --rm hello-world", {
    timeoutMs: 300_000,
    signal: run.ctx.signal,
  });
  if (!hello.stdout.includes("Hello from Docker"))
    await run.ctx.log("warn", "hello-world ran but did not print its greeting");
  run.state.compose =
    tools === "plugin" ? ["docker", "compose"] : tools === "legacy" ? ["docker-compose"] : null;
  return `docker runs containers${run.state.compose ? ` (${run.state.compose.join(" ")})` : ""}`;
}

/**
 * One probe (guest commands are slow to start: `pct exec` is a Perl program): is docker there,
 * and is compose the `docker compose` plugin, the older `docker-compose`, or missing? A fixed
 * script with no input in it.
 */
async function dockerTools(runner: CommandRunner): Promise<"no-docker" | "plugin" | "legacy" | "none"> {
  const r = await runner.run([
    "sh",
    "-c",
    "command -v docker >/dev/null 2>&1 || { echo no-docker; exit 0; }; " +
      "if docker compose version >/dev/null 2>&1; then echo plugin; " +
      "elif command -v docker-compose >/dev/null 2>&1; then echo legacy; else echo none; fi",
  ]);
  const answer = r.stdout.trim();
  if (r.exitCode !== 0 || !["no-docker", "plugin", "legacy", "none"].includes(answer))
    throw new StepFailure(`probing docker in the guest failed: ${(r.stderr || r.stdout).trim()}`);
  return answer as "no-docker" | "plugin" | "legacy" | "none";
}
