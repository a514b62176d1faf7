import { shellJoin } from "@pylon/shared/shell/quote";
import { parse } from "yaml";
import { appDir, type DeployRun, exec } from "./context.ts";
import { sshTargetOf, trustGitHost } from "./git-host-key.ts";
import { secretsOf } from "./inputs.ts";
import { StepFailure } from "./steps.ts";

/** Where the checkout of a Git source lives in the guest. */
export const checkoutDir = (run: DeployRun) => `${appDir(run)}/src`;
/** Pylon's own files for the app (env files, keys): mode 0700. */
export const pylonDir = (run: DeployRun) => `${appDir(run)}/.pylon`;

/** Checks a compose file is a YAML mapping with services, before it reaches the guest. */
export function composeServices(text: string): string[] {
  let doc: unknown;
  try {
    doc = parse(text);
  } catch (err) {
    throw new StepFailure(
      `the compose file is not valid YAML: ${err instanceof Error ? err.message.split("\n")[0] : err}`,
    );
  }
  const services = typeof doc === "object" && doc !== null ? Reflect.get(doc, "services") : undefined;
  if (typeof services !== "object" || services === null || Array.isArray(services))
    throw new StepFailure("the compose file has no services mapping");
  return Object.keys(services);
}

/**
 * Puts the app's source into the guest: a catalog compose file written to
 * <apps>/<name>/compose.yaml (0600: it may hold generated secrets), or a `git clone` at the
 * ref, recording the commit. A deploy key is written to a 0600 file and named in
 * GIT_SSH_COMMAND (quoted by shellJoin), never put on a command line, and removed afterwards.
 * Over ssh the Git host's key is checked strictly: the pinned one, or the one seen first
 * (reported, and required by later deploys); see git-host-key.ts.
 */
export async function fetchSource(run: DeployRun): Promise<string> {
  const runner = await run.runner();
  const dir = appDir(run);
  // One command: -p makes the app's folder (default mode), -m 0700 applies to .pylon only.
  await exec(runner, ["mkdir", "-p", "-m", "0700", "--", pylonDir(run)], "mkdir");
  const source = run.params.source;
  if (source.type === "compose") {
    const compose = source.compose;
    composeServices(compose);
    await runner.push(compose, `${dir}/compose.yaml`, 0o600);
    run.state.commit = null;
    return `compose file written to ${dir}/compose.yaml`;
  }
  const checkout = checkoutDir(run);
  await exec(runner, ["rm", "-rf", "--", checkout], "rm -rf");
  const env: Record<string, string> = { GIT_TERMINAL_PROMPT: "0" };
  const key = secretsOf(run.params).deployKey;
  const keyFile = `${pylonDir(run)}/deploy_key`;
  const knownHosts = `${pylonDir(run)}/known_hosts`;
  const target = sshTargetOf(source.url);
  let hostNote = "";
  if (key) {
    await runner.push(key.endsWith("\n") ? key : `${key}\n`, keyFile, 0o600);
    const ssh = ["ssh", "-i", keyFile, "-o", "IdentitiesOnly=yes", "-o", "BatchMode=yes"];
    if (target) {
      // The pin, else the key the plan step's fetch on the host trusted on first use.
      const pin = source.hostKey ?? run.state.gitHostKey?.fingerprint;
      const trusted = await trustGitHost(runner, target, pin, run.ctx.signal);
      const firstUse = !source.hostKey;
      await runner.push(trusted.knownHostsLine, knownHosts, 0o600);
      ssh.push(
        ...["-o", "StrictHostKeyChecking=yes", "-o", `UserKnownHostsFile=${knownHosts}`],
        ...["-o", `HostKeyAlgorithms=${trusted.hostKeyAlgorithms}`],
      );
      const { fingerprint, keyType } = trusted.key;
      run.state.gitHostKey = { fingerprint, keyType };
      hostNote = firstUse
        ? `; ${target.host}'s SSH host key ${fingerprint} (${keyType}) trusted on first use`
        : `; ${target.host}'s SSH host key matches the pinned ${fingerprint}`;
      await run.ctx.log(
        firstUse ? "warn" : "info",
        firstUse
          ? `${target.host}'s SSH host key is ${fingerprint} (${keyType}); trusted on first use and required from now on. Compare it with the fingerprint your Git host publishes, and pin it in the app's settings.`
          : `${target.host}'s SSH host key matches the pinned ${fingerprint} (${keyType})`,
      );
    }
    env.GIT_SSH_COMMAND = shellJoin(ssh);
  }
  try {
    const opts = { env, timeoutMs: 900_000, signal: run.ctx.signal };
    await exec(runner, ["git", "clone", "--no-checkout", "--", source.url, checkout], "git clone", {
      ...opts,
      live: run,
    });
    // The commit the plan step planned at: the build is exactly the plan.
    const commit = run.state.commit ?? (await resolveRef(run, checkout, source.ref, opts));
    await exec(
      runner,
      ["git", "-C", checkout, "-c", "advice.detachedHead=false", "checkout", "--detach", commit],
      "git checkout",
      opts,
    );
    const head = await exec(runner, ["git", "-C", checkout, "rev-parse", "HEAD"], "git rev-parse HEAD");
    run.state.commit = head.stdout.trim();
    // Submodules (a Hugo theme, a shared library): fetched like the repository, never from local paths.
    await exec(
      runner,
      [
        "git",
        "-C",
        checkout,
        "-c",
        "protocol.file.allow=never",
        "submodule",
        "update",
        "--init",
        "--recursive",
      ],
      "git submodule update",
      { ...opts, live: run },
    );
  } finally {
    if (key) await runner.run(["rm", "-f", "--", keyFile, knownHosts]);
  }
  return `${source.ref} at ${run.state.commit}${hostNote}`;
}

/** The commit a ref names: a branch or tag of origin, or a commit id. */
async function resolveRef(
  run: DeployRun,
  checkout: string,
  ref: string,
  opts: { env: Record<string, string>; timeoutMs: number },
): Promise<string> {
  const runner = await run.runner();
  for (const candidate of [`refs/remotes/origin/${ref}`, `refs/tags/${ref}`, ref]) {
    const r = await runner.run(
      [
        "git",
        "-C",
        checkout,
        "rev-parse",
        "--verify",
        "--quiet",
        "--end-of-options",
        `${candidate}^{commit}`,
      ],
      opts,
    );
    if (r.exitCode === 0 && r.stdout.trim()) return r.stdout.trim();
  }
  throw new StepFailure(
    `ref '${ref}' was not found in ${run.params.source.type === "git" ? run.params.source.url : "the repository"}`,
  );
}
