import { stat } from "node:fs/promises";
import { planOverridesSchema } from "@pylon/shared/api/plan";
import { planBuild } from "./deploy/build/detect.ts";
import { directoryRepoFiles } from "./deploy/build/repo-files.ts";
import type { BuildPlan } from "./deploy/build/types.ts";

export const PLAN_USAGE = `  plan   DIR [--json] [--source generated|dockerfile|compose] [--port N]
         [--install CMD] [--build CMD] [--start CMD] [--node V] [--python V] [--go V] [--service NAME]
                                print how DIR would be built and run (exit 0 for a plan or a refusal)`;

/** Human-readable plan. */
export function formatPlan(plan: BuildPlan): string {
  if (plan.refused)
    return `refused: ${plan.refused}\n${plan.found.length ? `found: ${plan.found.join(", ")}\n` : ""}`;
  const lines = [
    `source:     ${plan.source}${plan.file ? ` (${plan.file})` : ""}`,
    `framework:  ${plan.frameworkName ?? plan.framework}`,
    `why:        ${plan.reason}`,
  ];
  if (plan.runtime)
    lines.push(
      `runtime:    ${plan.runtime.name} ${plan.runtime.version} (${plan.runtime.from}) on ${plan.runtime.image}`,
    );
  if (plan.packageManager) lines.push(`packages:   ${plan.packageManager}`);
  for (const [k, v] of Object.entries(plan.commands)) if (v) lines.push(`${`${k}:`.padEnd(11)} ${v}`);
  if (plan.compose) lines.push(`service:    ${plan.compose.service} of ${plan.compose.services.join(", ")}`);
  lines.push(`port:       ${plan.port}`);
  for (const w of plan.warnings) lines.push(`warning:    ${w}`);
  if (plan.dockerfile) lines.push("", plan.dockerfile.trimEnd());
  return `${lines.join("\n")}\n`;
}

/**
 * `plan DIR [--json]`: the build plan of a work tree, as the deploy would make it. Exits 0
 * when it produced a plan or a refusal; throws (exit 1) only when DIR cannot be read or an
 * option is invalid.
 */
export async function planCommand(
  dir: string | undefined,
  values: Record<string, string | boolean | undefined>,
  write: (s: string) => void,
): Promise<void> {
  if (!dir) throw new Error(`plan: a directory is required\n${PLAN_USAGE}`);
  const info = await stat(dir).catch((err: NodeJS.ErrnoException) => {
    throw new Error(`plan: cannot read ${dir}: ${err.code ?? err.message}`);
  });
  if (!info.isDirectory()) throw new Error(`plan: ${dir} is not a directory`);
  const str = (k: string) => (typeof values[k] === "string" ? (values[k] as string) : undefined);
  const parsed = planOverridesSchema.safeParse({
    source: str("source"),
    port: str("port") === undefined ? undefined : Number(str("port")),
    installCommand: str("install"),
    buildCommand: str("build"),
    startCommand: str("start"),
    nodeVersion: str("node"),
    pythonVersion: str("python"),
    goVersion: str("go"),
    composeService: str("service"),
  });
  if (!parsed.success)
    throw new Error(
      `plan: ${parsed.error.issues.map((i) => `--${String(i.path[0])} ${i.message}`).join("; ")}`,
    );
  const overrides = Object.fromEntries(Object.entries(parsed.data).filter(([, v]) => v !== undefined));
  const plan = await planBuild(directoryRepoFiles(dir), overrides);
  write(values.json ? `${JSON.stringify(plan)}\n` : formatPlan(plan));
}
