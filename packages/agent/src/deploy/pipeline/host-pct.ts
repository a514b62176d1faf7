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
