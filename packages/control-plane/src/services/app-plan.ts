// The build plan of a Git repository, made by a node's agent before anything is created.

import { appPlanResultSchema, type PlanAppBody, type PlanAppResult } from "@pylon/shared";
import type { AppDeps } from "../deps.ts";
import { ApiError } from "../errors.ts";
import { createJob, getJob, isFinal, type JobOrigin } from "./jobs.ts";

type Deps = Pick<AppDeps, "db" | "now" | "bus" | "secretKey">;

/**
 * Asks the node's agent to fetch the repository (shallow, at the ref, with submodules) and plan
 * its build; waits for the answer up to `waitMs`. A repository Pylon cannot build is an answer
 * (`plan.refused`), not an error; a ref or URL git cannot fetch is a 400 with git's own words.
 */
export async function planApp(
  deps: Deps,
  body: PlanAppBody,
  origin: JobOrigin,
  waitMs = 180_000,
): Promise<PlanAppResult> {
  const s = body.source;
  if (!s.url.startsWith("https://") && !s.deployKey)
    throw new ApiError(
      "validation_failed",
      "Invalid request body: source.deployKey is required for an ssh repository URL",
      {
        fields: [{ path: "source.deployKey", message: "is required for an ssh repository URL" }],
      },
    );
  const job = await createJob(deps, {
    nodeId: body.nodeId,
    kind: "app.plan",
    params: {
      url: s.url,
      ref: s.ref,
      ...(s.subdirectory ? { subdirectory: s.subdirectory } : {}),
      buildMode: s.buildMode,
      ...(s.port ? { port: s.port } : {}),
      ...(s.plan ? { plan: s.plan } : {}),
      ...(s.hostKey ? { hostKey: s.hostKey } : {}),
    },
    origin,
    ...(s.deployKey ? { sealed: { deployKey: s.deployKey } } : {}),
  });
  const deadline = Date.now() + waitMs;
  while (Date.now() < deadline) {
    const current = await getJob(deps, job.id);
    if (current.status === "succeeded") {
      const result = appPlanResultSchema.safeParse(current.result);
      if (!result.success)
        throw new ApiError("internal", `The agent's plan for job ${job.id} was not understood`);
      return { ...result.data, ref: s.ref };
    }
    if (isFinal(current.status)) {
      const message = current.error ?? current.status;
      // validate:/fetch: are the repository's or the input's fault; anything else is the node's.
      if (/^(validate|fetch): /.test(message))
        throw new ApiError(
          "bad_request",
          `Could not plan ${s.url} at ${s.ref}: ${message.replace(/^\w+: /, "")}`,
        );
      throw new ApiError("conflict", `Planning failed on the node: ${message}`);
    }
    await new Promise((r) => setTimeout(r, 150));
  }
  throw new ApiError("unavailable", `The node did not answer with a plan in time; see job ${job.id}`);
}
