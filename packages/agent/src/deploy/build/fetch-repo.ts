import { execFile } from "node:child_process";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { shellJoin } from "@pylon/shared/shell/quote";
import { chooseHostKey, parseKeyscan, sshTargetOf, type TrustedHost } from "../pipeline/git-host-key.ts";
import { StepFailure } from "../pipeline/steps.ts";
import { planBuild } from "./detect.ts";
import { directoryRepoFiles } from "./repo-files.ts";
import type { BuildPlan, PlanOverrides } from "./types.ts";

/** What to fetch and plan: the deploy's source fields. */
export interface PlanRequest {
  url: string;
  ref: string;
  subdirectory?: string;
  overrides: PlanOverrides;
  deployKey?: string;
  /** ssh URLs: the SHA256 fingerprint the Git host's key must have (else trusted on first use). */
  hostKey?: string;
}

/** The Git host's SSH key a plan's fetch trusted: the pinned one, or the one seen on first use. */
export interface PlannedHostKey {
  fingerprint: string;
  keyType: string;
  firstUse: boolean;
}

export interface PlanOptions {
  /** Where the temporary checkout goes (removed afterwards). */
  workDir?: string;
  signal?: AbortSignal;
  timeoutMs?: number;
  /** Extra environment for git (tests: a CA file). */
  env?: NodeJS.ProcessEnv;
}

/** git failed; the message is git's own last lines. */
export class FetchError extends Error {
  override readonly name = "FetchError";
}

// Never let a repository's submodules or config reach local files or run helpers.
const SAFE_GIT = [
  "-c",
  "protocol.file.allow=never",
  "-c",
  "protocol.ext.allow=never",
  "-c",
  "core.hooksPath=/dev/null",
];

function git(
  args: string[],
  opts: { cwd?: string; env: NodeJS.ProcessEnv; signal?: AbortSignal; timeoutMs: number },
) {
  return new Promise<string>((resolve, reject) => {
    execFile(
      "git",
      [...SAFE_GIT, ...args],
      { cwd: opts.cwd, env: opts.env, signal: opts.signal, timeout: opts.timeoutMs, maxBuffer: 4 << 20 },
      (err, stdout, stderr) => {
        if (!err) return resolve(stdout.trim());
        if ((err as NodeJS.ErrnoException).code === "ENOENT")
          return reject(new FetchError("git is not installed on the Proxmox host (apt install git)"));
        if (err.name === "AbortError") return reject(err);
        const text = String(stderr || err.message)
          .trim()
          .split("\n")
          .slice(-6)
          .join("\n");
        reject(new FetchError(`git ${args.find((a) => !a.startsWith("-")) ?? ""} failed: ${text}`));
      },
    );
  });
}

/**
 * Fetches the ref of a repository into `dir`, shallow (one commit) with its submodules, and
 * returns the commit. A branch, a tag or a commit id; servers that refuse shallow fetches
 * (Git's dumb HTTP) get a full fetch.
 */
export async function fetchRepository(
  req: Pick<PlanRequest, "url" | "ref">,
  dir: string,
  env: NodeJS.ProcessEnv,
  opts: { signal?: AbortSignal; timeoutMs: number },
): Promise<string> {
  const o = { cwd: dir, env, ...opts };
  await git(["init", "-q", dir], { ...o, cwd: undefined });
  await git(["remote", "add", "origin", req.url], o);
  try {
    await git(["fetch", "-q", "--depth", "1", "--no-tags", "origin", req.ref], o);
  } catch (err) {
    if (!(err instanceof FetchError) || !/shallow|dumb/i.test(err.message)) throw err;
    await git(["fetch", "-q", "--no-tags", "origin", req.ref], o);
  }
  await git(["-c", "advice.detachedHead=false", "checkout", "-q", "--detach", "FETCH_HEAD"], o);
  const commit = await git(["rev-parse", "HEAD"], o);
  await git(["submodule", "update", "-q", "--init", "--recursive", "--depth", "1"], o).catch(async (err) => {
    // A submodule pinned to a commit that is no branch tip cannot be fetched shallow.
    if (!(err instanceof FetchError)) throw err;
    await git(["submodule", "update", "-q", "--init", "--recursive"], o);
  });
  return commit;
}

/** ssh-keyscan on this host: the keys the Git host offers (argv only, no shell). */
function keyscan(host: string, port: number, opts: { signal?: AbortSignal }): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(
      "ssh-keyscan",
      ["-T", "15", "-p", String(port), "-t", "ed25519,ecdsa,rsa", "--", host],
      { signal: opts.signal, timeout: 60_000, maxBuffer: 64 * 1024 },
      (err, stdout) => {
        if ((err as NodeJS.ErrnoException | null)?.code === "ENOENT")
          return reject(
            new FetchError("ssh-keyscan is not installed on the Proxmox host (apt install openssh-client)"),
          );
        // ssh-keyscan exits non-zero when some key types are missing; what it printed counts.
        if (err && err.name === "AbortError") return reject(err);
        resolve(stdout);
      },
    );
  });
}

/**
 * Which key of the Git host to trust for an ssh URL, as the guest's clone does
 * (pipeline/git-host-key.ts): the pinned one, or on first use the strongest offered; ssh then
 * checks strictly against a known_hosts file holding exactly that key.
 */
async function trustHost(
  url: string,
  pin: string | undefined,
  signal?: AbortSignal,
): Promise<TrustedHost | null> {
  try {
    const target = sshTargetOf(url);
    if (!target) return null;
    return chooseHostKey(target, parseKeyscan(await keyscan(target.host, target.port, { signal })), pin);
  } catch (err) {
    if (err instanceof StepFailure) throw new FetchError(err.message);
    throw err;
  }
}

/**
 * Fetches a repository on the agent's host and plans its build, before any guest exists. A
 * deploy key goes to a 0600 file named in GIT_SSH_COMMAND, never onto a command line; the Git
 * host's SSH key is checked strictly (pinned, or trusted on first use and returned). The
 * checkout is removed afterwards, whatever happened.
 */
export async function planRepository(
  req: PlanRequest,
  opts: PlanOptions = {},
): Promise<{ commit: string; plan: BuildPlan; hostKey?: PlannedHostKey }> {
  const work = await mkdtemp(join(opts.workDir ?? tmpdir(), "pylon-plan-"));
  try {
    const env: NodeJS.ProcessEnv = {
      ...process.env,
      HOME: work,
      GIT_TERMINAL_PROMPT: "0",
      GIT_CONFIG_NOSYSTEM: "1",
      ...opts.env,
    };
    let trusted: TrustedHost | null = null;
    if (req.deployKey) {
      trusted = await trustHost(req.url, req.hostKey, opts.signal);
      await writeFile(join(work, "known_hosts"), trusted?.knownHostsLine ?? "", { mode: 0o600 });
      const keyFile = join(work, "deploy_key");
      await writeFile(keyFile, req.deployKey.endsWith("\n") ? req.deployKey : `${req.deployKey}\n`, {
        mode: 0o600,
      });
      env.GIT_SSH_COMMAND = shellJoin([
        "ssh",
        "-i",
        keyFile,
        "-o",
        "IdentitiesOnly=yes",
        "-o",
        "StrictHostKeyChecking=yes",
        "-o",
        `UserKnownHostsFile=${join(work, "known_hosts")}`,
        ...(trusted ? ["-o", `HostKeyAlgorithms=${trusted.hostKeyAlgorithms}`] : []),
        "-o",
        "BatchMode=yes",
      ]);
    }
    const dir = join(work, "repo");
    const commit = await fetchRepository(req, dir, env, {
      signal: opts.signal,
      timeoutMs: opts.timeoutMs ?? 600_000,
    });
    const sub = (req.subdirectory ?? "").replace(/^\/+|\/+$/g, "");
    const root = sub ? join(dir, ...sub.split("/")) : dir;
    const plan = await planBuild(directoryRepoFiles(root), req.overrides).catch(
      (err: NodeJS.ErrnoException) => {
        if (err.code === "ENOENT" || err.code === "ENOTDIR")
          throw new FetchError(`subdirectory '${sub}' is not a folder of the repository at ${req.ref}`);
        throw err;
      },
    );
    const hostKey = trusted
      ? { fingerprint: trusted.key.fingerprint, keyType: trusted.key.keyType, firstUse: trusted.firstUse }
      : undefined;
    return { commit, plan, ...(hostKey ? { hostKey } : {}) };
  } finally {
    await rm(work, { recursive: true, force: true });
  }
}
