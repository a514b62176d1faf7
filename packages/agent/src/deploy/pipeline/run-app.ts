import { stringify } from "yaml";
import type { CommandRunner } from "../../runners/types.ts";
import { composeCmd, composeFile, imageTag } from "./build.ts";
import { type DeployRun, exec } from "./context.ts";
import { secretsOf } from "./inputs.ts";
import { composeServices, pylonDir } from "./source.ts";
import { StepFailure } from "./steps.ts";

/** The container name of a single-image app. */
export const containerName = (name: string) => `pylon-${name}`;

/** The app's environment: its env vars, then its secrets. */
function appEnv(run: DeployRun): Record<string, string> {
  return { ...run.params.env, ...secretsOf(run.params).secrets };
}

/**
 * What Pylon tells the app at run time, before the user's own variables (which win): the port
 * to listen on, to listen on every interface (an app that binds localhost is unreachable from
 * the route), and the host name it is served at (Django's ALLOWED_HOSTS, through the overlay).
 */
export function runtimeEnv(run: DeployRun, containerPort: number | null): Record<string, string> {
  return {
    ...(containerPort ? { PORT: String(containerPort) } : {}),
    HOST: "0.0.0.0",
    ...(run.params.route ? { PYLON_ALLOWED_HOSTS: run.params.route.host } : {}),
  };
}

const escapeDollars = (env: Record<string, string>) =>
  Object.fromEntries(Object.entries(env).map(([k, v]) => [k, v.replaceAll("$", () => "$$")]));

/**
 * A compose override (0600) giving every service the app's environment, and the web service
 * PORT/HOST (and a published port when the file publishes none). Values go through the YAML
 * serializer, and `$` is doubled because compose interpolates `$` in its files; so any
 * value — newlines, quotes, `$(…)` — reaches the container literally.
 */
export function envOverride(
  services: readonly string[],
  env: Record<string, string>,
  web?: { service: string; env: Record<string, string>; publish?: string },
): string {
  const environment = escapeDollars(env);
  return stringify({
    services: Object.fromEntries(
      services.map((s) => {
        if (s !== web?.service) return [s, { environment }];
        return [
          s,
          {
            environment: { ...escapeDollars(web.env), ...environment },
            ...(web.publish ? { ports: [web.publish] } : {}),
          },
        ];
      }),
    ),
  });
}

/** A `docker run --env-file` file: NAME=VALUE lines, taken literally by docker (no newlines possible). */
export function envFile(env: Record<string, string>): string {
  const lines: string[] = [];
  for (const [k, v] of Object.entries(env)) {
    if (/[\r\n]/.test(v))
      throw new StepFailure(`environment variable ${k} contains a newline, which an env file cannot carry`);
    lines.push(`${k}=${v}`);
  }
  return lines.length ? `${lines.join("\n")}\n` : "";
}

/** Reads the compose file's service names from the guest. */
async function servicesIn(runner: CommandRunner, file: string): Promise<string[]> {
  const r = await exec(runner, ["cat", "--", file], "cat compose file", { maxOutputBytes: 1_000_000 });
  return composeServices(r.stdout);
}

/** The compose command line (files and project) of the app. */
export function composeArgs(run: DeployRun, withOverride: boolean): string[] {
  const files = ["-f", composeFile(run)];
  if (withOverride) files.push("-f", `${pylonDir(run)}/compose.env.yaml`);
  return [...composeCmd(run), "-p", run.params.name, ...files];
}

/** Starts the app: `docker compose up -d`, or `docker run -d -p <port>:<containerPort>` for one image. */
export async function runApp(run: DeployRun): Promise<string> {
  const runner = await run.runner();
  const env = appEnv(run);
  const opts = { timeoutMs: 1_800_000, signal: run.ctx.signal, live: run };
  if (run.state.composeFile) {
    const plan = run.state.plan?.compose;
    const web = plan
      ? {
          service: plan.service,
          env: runtimeEnv(run, plan.targetPort),
          // The file publishes no port for its web service: publish the app's port to it.
          ...(plan.publishedPort === null && plan.targetPort
            ? { publish: `${run.params.http.port}:${plan.targetPort}` }
            : {}),
        }
      : undefined;
    const withOverride = Object.keys(env).length > 0 || web !== undefined;
    if (withOverride) {
      const services = await servicesIn(runner, composeFile(run));
      await runner.push(envOverride(services, env, web), `${pylonDir(run)}/compose.env.yaml`, 0o600);
    }
    const args = composeArgs(run, withOverride);
    // Diagnostics read this to reach the app's project without knowing where its files are.
    await runner.push(`${args.join("\n")}\n`, `${pylonDir(run)}/compose-command`, 0o600);
    await exec(runner, [...args, "up", "-d", "--remove-orphans"], "docker compose up", opts);
    return "docker compose up -d";
  }
  const port = run.state.containerPort;
  if (!port) throw new StepFailure("no container port recorded by the build step");
  const file = `${pylonDir(run)}/app.env`;
  await runner.run(["rm", "-f", "--", `${pylonDir(run)}/compose-command`]);
  await runner.push(envFile({ ...runtimeEnv(run, port), ...env }), file, 0o600);
  const name = containerName(run.params.name);
  await runner.run(["docker", "rm", "-f", name]);
  await exec(
    runner,
    [
      "docker",
      "run",
      "-d",
      "--name",
      name,
      "--restart",
      "unless-stopped",
      "--env-file",
      file,
      "-p",
      `${run.params.http.port}:${port}`,
      imageTag(run),
    ],
    "docker run",
    opts,
  );
  return `${name} publishes ${run.params.http.port} → ${port}`;
}

/** Stops and removes the app's containers (undo of run; also used by redeploy before rollback). */
export async function stopApp(run: DeployRun): Promise<void> {
  if (!run.state.compose && !run.state.composeFile && !run.state.containerPort) return;
  const runner = await run.runner();
  if (run.state.composeFile) {
    const withOverride = Object.keys(appEnv(run)).length > 0 || run.state.plan?.compose != null;
    await exec(
      runner,
      [...composeArgs(run, withOverride), "down", "--remove-orphans"],
      "docker compose down",
    );
  } else await runner.run(["docker", "rm", "-f", containerName(run.params.name)]);
}

/**
 * After a rollback: starts the previous deploy's containers again from the restored files
 * (compose up with the restored override, or the restored container), best effort.
 */
export async function restartPrevious(run: DeployRun): Promise<void> {
  try {
    const runner = await reachable(run);
    if (run.state.composeFile && run.state.compose) {
      const override = await runner.run(["test", "-f", `${pylonDir(run)}/compose.env.yaml`]);
      await exec(runner, [...composeArgs(run, override.exitCode === 0), "up", "-d"], "docker compose up");
    } else await exec(runner, ["docker", "start", containerName(run.params.name)], "docker start");
  } catch (err) {
    await run.ctx.log(
      "warn",
      `the rolled-back app did not start again: ${err instanceof Error ? err.message : err}`,
    );
  }
}

/** The guest's runner once it answers again (a rolled-back VM boots before sshd is back). */
async function reachable(run: DeployRun): Promise<CommandRunner> {
  const deadline = Date.now() + run.deps.addressTimeoutMs;
  for (;;) {
    try {
      const runner = await run.runner();
      await exec(runner, ["true"], "true");
      return runner;
    } catch (err) {
      await run.close();
      if (Date.now() > deadline || run.ctx.signal.aborted) throw err;
      await new Promise((r) => setTimeout(r, 500));
    }
  }
}
