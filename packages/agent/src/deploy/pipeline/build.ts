import { detectBuild } from "../build/detect.ts";
import { gitRepoFiles } from "../build/git-repo-files.ts";
import { BuildDetectionError } from "../build/types.ts";
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
 * Builds the app: the catalog compose's images are pulled; a repository is built as its own
 * compose file, its Dockerfile, or a Dockerfile generated for the detected framework (written
 * into the checkout, with a .dockerignore when it has none).
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
  const sub = checkSubdirectory(source.subdirectory);
  const root = checkoutDir(run);
  const context = sub ? `${root}/${sub}` : root;
  let plan: Awaited<ReturnType<typeof detectBuild>>;
  try {
    plan = await detectBuild(
      gitRepoFiles((argv) => runner.run(argv), root, sub),
      source.buildMode,
    );
  } catch (err) {
    if (err instanceof BuildDetectionError) throw new StepFailure(err.message);
    throw err;
  }
  await run.ctx.log("info", `build: ${plan.framework} (${plan.reason})`);
  if (plan.strategy === "compose") {
    run.state.composeFile = `${context}/${plan.file}`;
    await exec(
      runner,
      [...composeCmd(run), "-p", run.params.name, "-f", composeFile(run), "build"],
      "docker compose build",
      opts,
    );
    return `compose (${plan.reason})`;
  }
  let dockerfile = `${context}/Dockerfile.pylon`;
  if (plan.strategy === "dockerfile") dockerfile = `${context}/${plan.file}`;
  else {
    await runner.push(plan.dockerfile, dockerfile, 0o644);
    const ignore = await runner.run(["test", "-e", `${context}/.dockerignore`]);
    if (ignore.exitCode !== 0) await runner.push(plan.dockerignore, `${context}/.dockerignore`, 0o644);
  }
  const port = source.containerPort ?? plan.port;
  if (!port)
    throw new StepFailure("the Dockerfile does not EXPOSE a port; set the container port of the app");
  run.state.containerPort = port;
  run.state.composeFile = null;
  await exec(
    runner,
    ["docker", "build", "-t", imageTag(run), "-f", dockerfile, "--", context],
    "docker build",
    opts,
  );
  return `${plan.framework} image ${imageTag(run)} (${plan.reason})`;
}
