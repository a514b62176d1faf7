import { execFile } from "node:child_process";
import { pctCommand } from "../../runners/pct.ts";
import { StepFailure } from "./steps.ts";

/**
 * Runs `pct <args>` on the host (as the agent: root, so as root@pam) for the few settings PVE
 * allows root@pam only — a token cannot set CT features other than nesting. Fixed argv, no shell.
 */
export async function hostPct(
  deps: { pctPath?: string | undefined; pctEnv?: NodeJS.ProcessEnv | undefined },
  args: readonly string[],
): Promise<void> {
  const r = await pctCommand(deps.pctPath ?? "pct", deps.pctEnv ?? process.env, args);
  if (r.exitCode !== 0)
    throw new StepFailure(`pct ${args[0] ?? ""} failed: ${r.stderr.trim() || `exit ${r.exitCode}`}`);
}

/** The host's neighbour table (`ip -j neigh show`, argv, no shell); empty when `ip` cannot tell. */
export function hostNeighbours(deps: {
  ipPath?: string | undefined;
  pctEnv?: NodeJS.ProcessEnv | undefined;
}) {
  return new Promise<{ dst: string; lladdr?: string; state?: string[] }[]>((resolve) => {
    execFile(
      deps.ipPath ?? "ip",
      ["-j", "neigh", "show"],
      { env: deps.pctEnv ?? process.env, timeout: 10_000 },
      (err, stdout) => {
        if (err) return resolve([]);
        try {
          const parsed: unknown = JSON.parse(stdout);
          resolve(Array.isArray(parsed) ? parsed.filter((e) => typeof e?.dst === "string") : []);
        } catch {
          resolve([]);
        }
      },
    );
  });
}
