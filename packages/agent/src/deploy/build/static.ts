import { header, staticStage } from "./dockerfile.ts";
import { images, STATIC_SERVER_PORT } from "./images.ts";
import type { RepoFiles } from "./repo-files.ts";
import { DEFAULT_DOCKERIGNORE, emptyPlan, type PlanInput, type ReadyPlan } from "./types.ts";

/** Plain static HTML: the repository's files served as they are by a non-root nginx. */
export function staticPlan(reason: string, input: PlanInput): ReadyPlan {
  const lines = [...header("a static site", reason), ...staticStage(images.staticServer, null, ".", false)];
  return {
    ...emptyPlan(),
    source: "generated",
    framework: "static",
    frameworkName: "Static site",
    reason: `${reason}; served by nginx`,
    runtime: {
      name: "static",
      version: "nginx 1.28",
      from: "Pylon's static server",
      image: images.staticServer,
    },
    commands: { install: null, build: null, start: "nginx (static files)" },
    port: STATIC_SERVER_PORT,
    env: { PORT: String(STATIC_SERVER_PORT) },
    dockerfile: `${lines.join("\n")}\n`,
    dockerignore: DEFAULT_DOCKERIGNORE,
    warnings: input.warnings,
  };
}

const HUGO_CONFIGS = [
  "hugo.toml",
  "hugo.yaml",
  "hugo.yml",
  "hugo.json",
  "config.toml",
  "config.yaml",
  "config.yml",
];

/** The Hugo config of a site (hugo.toml, or config.toml beside content/ or layouts/), or undefined. */
export async function hugoConfig(files: RepoFiles): Promise<string | undefined> {
  const list = await files.list();
  const set = new Set(list);
  const siteDirs = list.some((f) => /^(content|layouts|themes|archetypes)\//.test(f));
  return HUGO_CONFIGS.find((f) => set.has(f) && (f.startsWith("hugo.") || siteDirs));
}

/** A Hugo site: built with Debian's hugo, the public/ folder served by nginx. */
export async function hugoPlan(files: RepoFiles, config: string, input: PlanInput): Promise<ReadyPlan> {
  const { overrides, warnings } = input;
  const text = (await files.read(config)) ?? "";
  const list = await files.list();
  if (list.includes(".gitmodules") && !list.some((f) => f.startsWith("themes/")))
    warnings.push("the theme is a git submodule; it is fetched with the repository");
  if (list.includes("go.mod"))
    warnings.push(
      "the site uses Hugo modules, which need Go at build time; add a Dockerfile if the build fails",
    );
  const base = /^\s*baseURL\s*[=:]\s*["']?(https?:\/\/[^"'\s]+)/im.exec(text)?.[1];
  if (base)
    warnings.push(
      `${config} sets baseURL to ${base}; set it to the app's address (or "/") so links point at it`,
    );
  const build = overrides.buildCommand ?? "hugo --minify";
  const lines = [
    ...header("Hugo", `found ${config}`, ["Hugo from Debian; the site's public/ is served by nginx."]),
    `FROM ${images.debianTools} AS build`,
    "RUN apt-get update && apt-get install -y --no-install-recommends hugo git ca-certificates && rm -rf /var/lib/apt/lists/*",
    "WORKDIR /app",
    "COPY . .",
    `RUN ${build}`,
    "",
    ...staticStage(images.staticServer, "build", "public", false),
  ];
  return {
    ...emptyPlan(),
    source: "generated",
    framework: "hugo",
    frameworkName: "Hugo",
    reason: `found ${config}; builds public/ and serves it with nginx`,
    runtime: {
      name: "hugo",
      version: "Debian trixie",
      from: "Debian's hugo package",
      image: images.debianTools,
    },
    commands: { install: null, build, start: "nginx (static files)" },
    port: STATIC_SERVER_PORT,
    env: { PORT: String(STATIC_SERVER_PORT) },
    dockerfile: `${lines.join("\n")}\n`,
    dockerignore: DEFAULT_DOCKERIGNORE,
    warnings,
  };
}
