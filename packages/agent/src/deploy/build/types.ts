/** What a repository is built as. */
export const FRAMEWORKS = [
  "compose",
  "dockerfile",
  "nextjs",
  "vite",
  "create-react-app",
  "node",
  "django",
  "flask",
  "fastapi",
  "static",
] as const;
export type Framework = (typeof FRAMEWORKS)[number];

/** The user's choice on the deploy form. */
export type BuildMode = "auto" | "dockerfile" | "compose";

/** How to build and run a repository, and why. */
export type BuildPlan =
  | {
      strategy: "compose";
      framework: "compose";
      /** The compose file, relative to the repository root. */
      file: string;
      reason: string;
      /** The first port the compose file publishes on the guest, when it publishes one. */
      port: number | null;
    }
  | {
      strategy: "dockerfile";
      framework: "dockerfile";
      file: string;
      reason: string;
      /** The port the Dockerfile EXPOSEs, when it says. */
      port: number | null;
    }
  | {
      strategy: "generated";
      framework: Exclude<Framework, "compose" | "dockerfile">;
      reason: string;
      /** The port the generated image listens on. */
      port: number;
      /** The generated Dockerfile, to be written at the repository root. */
      dockerfile: string;
      /** A .dockerignore to write beside it (only when the repository has none). */
      dockerignore: string;
    };

/** The repository cannot be built as asked; the message says what was looked for. */
export class BuildDetectionError extends Error {
  override readonly name = "BuildDetectionError";
}

/** The generated-plan shape the framework detectors return. */
export type GeneratedPlan = Extract<BuildPlan, { strategy: "generated" }>;

/** The .dockerignore written beside generated Dockerfiles. */
export const DEFAULT_DOCKERIGNORE = [
  ".git",
  "node_modules",
  ".next",
  ".venv",
  "venv",
  "__pycache__",
  "*.pyc",
  ".env",
  ".env.*",
  "Dockerfile",
  ".dockerignore",
  "",
].join("\n");
