import { execFile } from "node:child_process";
import { StepFailure } from "./steps.ts";

/**
 * Runs `pct <args>` on the host (as the agent: root, so as root@pam) for the few settings PVE
 * allows root@pam only — a token cannot set CT features other than nesting. Fixed argv, no shell.
 */
export function hostPct(
  deps: { pctPath?: string | undefined; pctEnv?: NodeJS.ProcessEnv | undefined },
  args: readonly string[],
  timeoutMs = 60_000,
): Promise<void> {
  return new Promise((resolve, reject) => {
    execFile(
      deps.pctPath ?? "pct",
      [...args],
      { env: deps.pctEnv ?? process.env, timeout: timeoutMs, maxBuffer: 1 << 20 },
      (err, _stdout, stderr) => {
        if (!err) return resolve();
        const text = String(stderr).trim() || err.message;
        reject(new StepFailure(`pct ${args[0] ?? ""} failed: ${text}`));
      },
    );
  });
}
