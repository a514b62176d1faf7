import type { AppPlanResult, PlanOverrides } from "@pylon/shared";
import { JobError, type JobHandler } from "../../jobs/types.ts";
import { FetchError, planRepository } from "../build/fetch-repo.ts";
import type { DeployRun } from "./context.ts";
import { type AppJobDeps, appJobDeps } from "./deps.ts";
import { checkGitUrl, checkRef, checkSubdirectory, secretsOf } from "./inputs.ts";
import { StepFailure } from "./steps.ts";

/** The overrides a source carries: the mode the user chose, the port, the plan settings. */
export function overridesOf(source: {
  buildMode: string;
  containerPort?: number;
  port?: number;
  plan?: Omit<PlanOverrides, "source" | "port">;
}): PlanOverrides {
  const port = source.containerPort ?? source.port;
  return {
    ...(source.plan ?? {}),
    ...(source.buildMode !== "auto" ? { source: source.buildMode as PlanOverrides["source"] } : {}),
    ...(port !== undefined ? { port } : {}),
  };
}

/**
 * The `plan` step, first of a Git deploy: the agent fetches the repository on its own host at
 * the reviewed commit (or the ref) and plans the build before a guest exists, so a repository
 * that cannot be built is refused with what it has, and nothing is created.
 */
export async function planStep(run: DeployRun): Promise<string> {
  const source = run.params.source;
  if (source.type !== "git") return "nothing to plan: the compose file is given";
  try {
    const { commit, plan, hostKey } = await planRepository(
      {
        url: source.url,
        ref: source.commit ?? source.ref,
        subdirectory: source.subdirectory,
        overrides: overridesOf(source),
        deployKey: secretsOf(run.params).deployKey,
        hostKey: source.hostKey,
      },
      { signal: run.ctx.signal, env: run.deps.gitEnv },
    );
    if (plan.refused) throw new StepFailure(plan.refused);
    run.state.plan = plan;
    run.state.commit = commit;
    // The guest's clone must meet the same Git host key the plan's fetch trusted.
    if (hostKey) run.state.gitHostKey = { fingerprint: hostKey.fingerprint, keyType: hostKey.keyType };
    const note = `${plan.frameworkName ?? plan.framework} from ${plan.source} at ${commit.slice(0, 12)}: ${plan.reason}`;
    await run.ctx.log("info", `plan: ${note}`);
    for (const w of plan.warnings) await run.ctx.log("warn", `plan: ${w}`);
    if (plan.dockerfile) await run.ctx.log("info", `plan: generated Dockerfile\n${plan.dockerfile}`);
    return note;
  } catch (err) {
    if (err instanceof FetchError) throw new StepFailure(err.message);
    throw err;
  }
}

/** `app.plan`: the plan of a repository for the deploy form, made on this host. */
export const appPlan: JobHandler<"app.plan"> = {
  kind: "app.plan",
  async run(params, ctx): Promise<AppPlanResult> {
    let deps: AppJobDeps;
    try {
      deps = appJobDeps();
    } catch (err) {
      throw new JobError(err instanceof Error ? err.message : String(err), "validate");
    }
    checkGitUrl(params.url, deps.gitSchemes);
    checkRef(params.ref);
    checkSubdirectory(params.subdirectory);
    try {
      return await planRepository(
        {
          url: params.url,
          ref: params.ref,
          subdirectory: params.subdirectory,
          overrides: overridesOf(params),
          deployKey: params.deployKey,
          hostKey: params.hostKey,
        },
        { signal: ctx.signal, env: deps.gitEnv, timeoutMs: 300_000 },
      );
    } catch (err) {
      if (err instanceof FetchError) throw new JobError(err.message, "fetch");
      throw err;
    }
  },
};
