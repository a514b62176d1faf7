import type { AppDeployParams, AppDeploySecrets } from "@pylon/shared/protocol/index";
import { JobError } from "../../jobs/types.ts";

// Checks of user-provided values before anything runs. They are defence in depth: every
// command is argv (or shellJoin-quoted), so a bad value could not execute anyway, but a
// value that is not a DNS name, a ref or a variable name is refused with a clear message.

const DNS_LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

/** Whether a string holds a control character (C0 or DEL). */
const hasControl = (s: string) => [...s].some((c) => c.charCodeAt(0) < 0x20 || c.charCodeAt(0) === 0x7f);

/** A git ref or commit: no leading dash, no whitespace/control characters, none of git's forbidden forms. */
export function checkRef(ref: string): void {
  if (
    !ref ||
    ref.startsWith("-") ||
    ref.startsWith("/") ||
    ref.endsWith("/") ||
    ref.endsWith(".lock") ||
    ref.includes("..") ||
    ref.includes("@{") ||
    /[\s~^:?*[\\]/.test(ref) ||
    hasControl(ref)
  )
    throw new JobError(`'${ref.slice(0, 80)}' is not a valid git ref`, "validate");
}

/** A Git URL with an allowed scheme (scp-like `user@host:path` counts as ssh:). */
export function checkGitUrl(url: string, schemes: readonly string[]): void {
  const scp = /^[A-Za-z0-9._-]+@[A-Za-z0-9.-]+:[A-Za-z0-9._~/-]+$/.test(url);
  let scheme = scp ? "ssh:" : "";
  if (!scp) {
    try {
      scheme = new URL(url).protocol;
    } catch {
      throw new JobError(`'${url.slice(0, 200)}' is not a Git URL`, "validate");
    }
  }
  if (url.startsWith("-") || /\s/.test(url) || hasControl(url) || !schemes.includes(scheme))
    throw new JobError(
      `Git URL must use ${schemes.map((s) => s.replace(":", "")).join(" or ")}; got '${url.slice(0, 200)}'`,
      "validate",
    );
}

/** A subdirectory inside the repository: relative, no `..`. */
export function checkSubdirectory(sub: string | undefined): string {
  const clean = (sub ?? "").replace(/^\/+|\/+$/g, "");
  if (clean.split("/").some((p) => p === ".." || p === ".") || hasControl(clean))
    throw new JobError(
      `subdirectory '${clean.slice(0, 200)}' must be a plain path inside the repository`,
      "validate",
    );
  return clean;
}

/** Validates a deploy's names, env and source before any step runs. */
export function checkDeploy(
  params: AppDeployParams,
  secrets: AppDeploySecrets,
  gitSchemes: readonly string[],
): void {
  if (!DNS_LABEL.test(params.name))
    throw new JobError(
      `app name '${params.name.slice(0, 63)}' must be a DNS label (a-z, 0-9, '-', at most 63 characters)`,
      "validate",
    );
  for (const name of [...Object.keys(params.env), ...Object.keys(secrets.secrets)]) {
    if (!ENV_NAME.test(name))
      throw new JobError(`'${name.slice(0, 100)}' is not a valid environment variable name`, "validate");
  }
  for (const [name, value] of Object.entries({ ...params.env, ...secrets.secrets })) {
    if (value.includes("\0"))
      throw new JobError(`environment variable ${name} contains a NUL byte`, "validate");
  }
  if (params.mode === "clone" && params.cloneFrom === undefined)
    throw new JobError("a clone needs cloneFrom (the guest to clone)");
  if (params.mode === "redeploy" && params.vmid === undefined)
    throw new JobError("a redeploy needs the app's vmid", "validate");
  if (params.source.type === "git") {
    checkGitUrl(params.source.url, gitSchemes);
    checkRef(params.source.ref);
    checkSubdirectory(params.source.subdirectory);
  }
  if (params.route && !/^[A-Za-z0-9.-]+$/.test(params.route.host))
    throw new JobError(`route host '${params.route.host.slice(0, 253)}' is not a DNS name`, "validate");
  if (params.route && !DNS_LABEL.test(params.route.id))
    throw new JobError(`route id '${params.route.id.slice(0, 64)}' must be a DNS label`, "validate");
}

/** The secrets the control plane merged into the params on the wire (`secrets`, `deployKey`). */
export function secretsOf(params: AppDeployParams): AppDeploySecrets {
  return { secrets: params.secrets ?? {}, deployKey: params.deployKey };
}
