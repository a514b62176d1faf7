// Helpers for the build tests: a plan's generated Dockerfile read as Docker would read it.
import { expect } from "vitest";
import { readyPlan } from "./detect.ts";
import { parseDockerfile } from "./dockerfile-syntax.ts";
import type { RepoFiles } from "./repo-files.ts";
import { BuildDetectionError, type PlanOverrides, type ReadyPlan } from "./types.ts";

/** A generated plan whose Dockerfile Docker would accept: stages, order, COPY --from, user, port. */
export async function generated(files: RepoFiles, overrides: PlanOverrides = {}) {
  const plan = await readyPlan(files, overrides);
  if (plan.source !== "generated" || !plan.dockerfile)
    throw new Error(`expected a generated Dockerfile, got ${plan.source}`);
  return { ...plan, lines: plan.dockerfile.split("\n"), stages: checkDockerfile(plan) };
}

/** Parses a plan's Dockerfile and checks what every generated image must satisfy. */
export function checkDockerfile(plan: ReadyPlan) {
  const stages = parseDockerfile(plan.dockerfile ?? "");
  const final = stages.at(-1)!;
  // Only stages defined above are copied from; the last stage is the image that runs.
  for (const [i, stage] of stages.entries()) {
    for (const ins of stage.instructions.filter((x) => x.keyword === "COPY")) {
      const from = /--from=(\S+)/.exec(ins.args)?.[1];
      if (from)
        expect(
          stages.slice(0, i).map((s) => s.name),
          ins.args,
        ).toContain(from);
    }
  }
  const users = final.instructions.filter((i) => i.keyword === "USER");
  expect(users.at(-1)?.args, "the app runs as a non-root user").toMatch(/^(node|nginx|app|nobody)$/);
  const expose = final.instructions.filter((i) => i.keyword === "EXPOSE").at(-1);
  expect(Number(expose?.args), "EXPOSE matches the plan's port").toBe(plan.port);
  const cmd = final.instructions.filter((i) => i.keyword === "CMD").at(-1);
  if (cmd) expect(Array.isArray(JSON.parse(cmd.args)), "CMD is exec form").toBe(true);
  for (const stage of stages) expect(stage.base, "base images are tagged").toMatch(/^[\w./-]+:[\w.-]+$/);
  return stages;
}

/** The refusal message of a repository. */
export async function refusal(files: RepoFiles, overrides: PlanOverrides = {}): Promise<string> {
  try {
    await readyPlan(files, overrides);
  } catch (err) {
    expect(err).toBeInstanceOf(BuildDetectionError);
    return (err as Error).message;
  }
  throw new Error("expected detection to refuse");
}
