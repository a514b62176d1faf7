import { appDir, type DeployRun, exec } from "./context.ts";
import { checkSubdirectory } from "./inputs.ts";
import { checkoutDir } from "./source.ts";
import { StepFailure } from "./steps.ts";

/** The compose command of this guest (recorded by the docker step). */
export function composeCmd(run: DeployRun): string[] {
  if (!run.state.compose) throw new StepFailure("docker compose is not available in the guest");
  return run.state.compose;
}

/** The compose file of the app, relative paths resolved in the guest. */
export function composeFile(run: DeployRun): string {
  return run.state.composeFile ?? `${appDir(run)}/compose.yaml`;
}

/** The image tag of a Dockerfile app's build. */
export function imageTag(run: DeployRun): string {
  return `pylon-${run.params.name}:${(run.state.commit ?? "latest").slice(0, 12)}`;
}

/**
 * Builds the app exactly as the plan step decided: the catalog compose's images are pulled; a
 * repository is built as its own compose file, its Dockerfile, or the generated Dockerfile
 * (written into the checkout as Dockerfile.pylon, with a .dockerignore when it has none).
 */
export async function buildApp(run: DeployRun): Promise<string> {
  const runner = await run.runner();
  const opts = { timeoutMs: 3_600_000, signal: run.ctx.signal, live: run };
  const source = run.params.source;
  if (source.type === "compose") {
    run.state.composeFile = `${appDir(run)}/compose.yaml`;
    await exec(
      runner,
      [...composeCmd(run), "-p", run.params.name, "-f", composeFile(run), "pull"],
      "docker compose pull",
      opts,
    );
    return "images pulled";
  }
  const plan = run.state.plan;
  if (!plan?.source || plan.refused) throw new StepFailure("no build plan recorded by the plan step");
  const sub = checkSubdirectory(source.subdirectory);
  const root = checkoutDir(run);
  const context = sub ? `${root}/${sub}` : root;
  if (plan.source === "compose") {
    if (!plan.file || !plan.compose) throw new StepFailure("the plan names no compose file");
    run.state.composeFile = `${context}/${plan.file}`;
    run.state.httpPort = plan.compose.publishedPort;
    run.state.containerPort = plan.compose.targetPort;
    await exec(
      runner,
      [...composeCmd(run), "-p", run.params.name, "-f", composeFile(run), "build"],
      "docker compose build",
      opts,
    );
    return `compose (${plan.reason})`;
  }
  let dockerfile = `${context}/Dockerfile.pylon`;
  if (plan.source === "dockerfile") dockerfile = `${context}/${plan.file ?? "Dockerfile"}`;
  else {
    if (!plan.dockerfile) throw new StepFailure("the plan has no generated Dockerfile");
    await runner.push(plan.dockerfile, dockerfile, 0o644);
    const ignore = await runner.run(["test", "-e", `${context}/.dockerignore`]);
    if (ignore.exitCode !== 0 && plan.dockerignore)
      await runner.push(plan.dockerignore, `${context}/.dockerignore`, 0o644);
  }
  if (!plan.port) throw new StepFailure("the plan has no port; set the port the app listens on");
  run.state.containerPort = plan.port;
  run.state.composeFile = null;
  run.state.httpPort = null;
  await exec(
    runner,
    ["docker", "build", "-t", imageTag(run), "-f", dockerfile, "--", context],
    "docker build",
    opts,
  );
  return `${plan.framework} image ${imageTag(run)} (${plan.reason})`;
}
