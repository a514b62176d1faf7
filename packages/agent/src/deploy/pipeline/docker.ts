import type { CommandRunner } from "../../runners/types.ts";
import { type DeployRun, exec } from "./context.ts";

const APT_ENV = { DEBIAN_FRONTEND: "noninteractive" };

/** Whether a program is on the guest's PATH. */
async function has(runner: CommandRunner, program: string): Promise<boolean> {
  const r = await runner.run(["sh", "-c", 'command -v "$1" >/dev/null 2>&1', "sh", program]);
  return r.exitCode === 0;
}

/** Installs Debian packages in the guest (apt-get, noninteractive). */
export async function aptInstall(runner: CommandRunner, packages: string[], live?: DeployRun): Promise<void> {
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
  if (!(await has(runner, "docker"))) {
    await run.ctx.log("info", "docker is missing in the guest; installing docker.io from Debian");
    await aptInstall(runner, ["docker.io", "docker-compose", "ca-certificates", "git"], run);
  }
  const hello = await exec(runner, ["docker", "run", "--rm", "hello-world"], "docker run --rm hello-world", {
    timeoutMs: 300_000,
    signal: run.ctx.signal,
  });
  if (!hello.stdout.includes("Hello from Docker"))
    await run.ctx.log("warn", "hello-world ran but did not print its greeting");
  // Docker without the compose plugin says "'compose' is not a docker command"; anything else
  // means the plugin is there.
  const plugin = await runner.run(["docker", "compose", "version"]);
  const missing = plugin.exitCode !== 0 && /is not a docker command/.test(plugin.stderr);
  if (!missing) run.state.compose = ["docker", "compose"];
  else if (await has(runner, "docker-compose")) run.state.compose = ["docker-compose"];
  else run.state.compose = null;
  return `docker runs containers${run.state.compose ? ` (${run.state.compose.join(" ")})` : ""}`;
}
