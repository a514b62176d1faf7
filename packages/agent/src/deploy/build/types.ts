import type { BuildPlan, PlanOverrides } from "@pylon/shared/api/plan";

export type { BuildPlan, PlanOverrides, PlanRuntime } from "@pylon/shared/api/plan";

/** What the repository is built from. */
export type PlanSource = BuildPlan["source"];

/** The repository cannot be built as asked; the message says what was found and what to do. */
export class BuildDetectionError extends Error {
  override readonly name = "BuildDetectionError";
}

/** A plan that will be built (a refusal is thrown as BuildDetectionError instead). */
export type ReadyPlan = BuildPlan & { refused: null };

/** What a detector knows when it starts: the user's overrides and the warnings so far. */
export interface PlanInput {
  overrides: PlanOverrides;
  warnings: string[];
}

/** The .dockerignore written beside generated Dockerfiles (only when the repository has none). */
export const DEFAULT_DOCKERIGNORE = [
  ".git",
  "node_modules",
  ".next",
  ".nuxt",
  ".output",
  ".svelte-kit",
  ".astro",
  ".venv",
  "venv",
  "__pycache__",
  "*.pyc",
  ".env",
  ".env.*",
  "Dockerfile.pylon",
  ".dockerignore",
  "",
].join("\n");

/** An empty plan to fill in; every field a reader looks at is present. */
export function emptyPlan(): ReadyPlan {
  return {
    refused: null,
    source: null,
    reason: "",
    framework: null,
    frameworkName: null,
    runtime: null,
    packageManager: null,
    commands: { install: null, build: null, start: null },
    port: null,
    file: null,
    compose: null,
    dockerfile: null,
    dockerignore: null,
    env: {},
    warnings: [],
    found: [],
  };
}
