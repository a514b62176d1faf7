// The plan part of the deploy wizard's state: the settings a user may change on the review
// step, the plan request they make, and whether the plan shown is the one that will deploy.
import type { PlanAppRequest } from "../../../api/actions.ts";

/** The plan settings a user may change on the review step, as typed. */
export interface PlanInputs {
  installCommand: string;
  buildCommand: string;
  startCommand: string;
  nodeVersion: string;
  pythonVersion: string;
  composeService: string;
}

/** The parts of the wizard's draft a plan depends on. */
interface PlanDraft {
  kind: "catalog" | "git";
  nodeId: string;
  git: {
    url: string;
    ref: string;
    subdirectory: string;
    buildMode: "auto" | "generated" | "dockerfile" | "compose";
    port: string;
    deployKey: string;
    hostKey: string;
    plan: PlanInputs;
    reviewed: { key: string; commit: string; refused: boolean } | null;
  };
}

/** The plan settings the user filled in, without the empty ones. */
export function planSettingsOf(d: PlanDraft): Partial<PlanInputs> {
  return Object.fromEntries(
    Object.entries(d.git.plan)
      .map(([k, v]) => [k, v.trim()])
      .filter(([, v]) => v !== ""),
  );
}

/** The body of `POST /api/v1/apps/plan` for the draft's Git source. */
export function planRequestOf(d: PlanDraft): PlanAppRequest {
  const g = d.git;
  const plan = planSettingsOf(d);
  return {
    nodeId: d.nodeId,
    source: {
      type: "git",
      url: g.url.trim(),
      ref: g.ref.trim() || "main",
      buildMode: g.buildMode,
      ...(g.subdirectory.trim() ? { subdirectory: g.subdirectory.trim() } : {}),
      ...(g.port.trim() ? { port: Number(g.port) } : {}),
      ...(g.deployKey.trim() ? { deployKey: g.deployKey } : {}),
      ...(g.hostKey.trim() && g.deployKey.trim() ? { hostKey: g.hostKey.trim() } : {}),
      ...(Object.keys(plan).length ? { plan } : {}),
    },
  };
}

/** What a plan depends on: a plan made for other inputs is not the one the user reviewed. */
export function planKey(d: PlanDraft): string {
  const { deployKey: _key, ...source } = planRequestOf(d).source;
  return JSON.stringify([d.nodeId, source]);
}

/** Why a Git deploy cannot go ahead yet: no plan for these inputs, or a refused one. */
export function planProblem(d: PlanDraft): string | undefined {
  if (d.kind !== "git") return undefined;
  const r = d.git.reviewed;
  if (!r || r.key !== planKey(d)) return "Plan the build (again) to review what will be deployed.";
  if (r.refused) return "The plan was refused; change the settings or the repository, then plan again.";
  return undefined;
}
