import { parse } from "yaml";
import { djangoPlan } from "./django.ts";
import { nextPlan, nodeStartPlan, type PackageJson, readPackageJson, spaPlan } from "./node.ts";
import { dependsOn, fastapiPlan, flaskPlan, readPythonProject } from "./python.ts";
import type { RepoFiles } from "./repo-files.ts";
import { staticPlan } from "./static.ts";
import { BuildDetectionError, type BuildMode, type BuildPlan } from "./types.ts";

/** Compose file names in the order `docker compose` itself prefers them. */
export const COMPOSE_FILES = ["compose.yaml", "compose.yml", "docker-compose.yaml", "docker-compose.yml"];

const LOOKED_FOR = [
  "a compose file (compose.yaml, docker-compose.yml)",
  "a Dockerfile",
  "package.json with next, vite or react-scripts, or a start script",
  "manage.py (Django)",
  "a FastAPI() or Flask() app with requirements.txt or pyproject.toml",
  "index.html (static site)",
];

/** The first port a compose file publishes (`"8080:80"` → 8080), or null. */
export function composePublishedPort(text: string): number | null {
  let doc: unknown;
  try {
    doc = parse(text);
  } catch (err) {
    throw new BuildDetectionError(
      `the compose file is not valid YAML: ${err instanceof Error ? err.message : err}`,
    );
  }
  const services = (doc as { services?: unknown } | null)?.services;
  if (typeof services !== "object" || services === null) {
    throw new BuildDetectionError("the compose file has no services");
  }
  for (const service of Object.values(services)) {
    const ports: unknown = (service as { ports?: unknown } | null)?.ports;
    if (!Array.isArray(ports)) continue;
    for (const p of ports) {
      if (typeof p === "object" && p !== null) {
        const published = Number((p as { published?: unknown }).published);
        if (Number.isInteger(published) && published > 0) return published;
        continue;
      }
      // "[ip:]published:target[/proto]"; a bare "target" publishes on a random port: skip it.
      const m = /^(?:[\d.]+:)?(\d+)(?:-\d+)?:\d+(?:-\d+)?(?:\/(?:tcp|udp))?$/.exec(String(p));
      if (m) return Number(m[1]);
    }
  }
  return null;
}

/** The port a Dockerfile declares with its last EXPOSE, or null. */
export function dockerfileExposedPort(text: string): number | null {
  const exposes = [...text.matchAll(/^\s*EXPOSE\s+(\d+)/gim)];
  const last = exposes.at(-1)?.[1];
  return last ? Number(last) : null;
}

/**
 * Decides how to build a repository: its own compose file (modes auto and compose), else its
 * Dockerfile, else a generated production Dockerfile for the framework it detects. Reads the
 * project's files to decide, never guesses module names, and says why in `reason`.
 */
export async function detectBuild(files: RepoFiles, mode: BuildMode = "auto"): Promise<BuildPlan> {
  const list = new Set(await files.list());

  if (mode === "auto" || mode === "compose") {
    const compose = COMPOSE_FILES.find((f) => list.has(f));
    if (compose) {
      const text = await files.read(compose);
      if (text === undefined) throw new BuildDetectionError(`${compose} could not be read`);
      return {
        strategy: "compose",
        framework: "compose",
        file: compose,
        reason: `found ${compose}`,
        port: composePublishedPort(text),
      };
    }
    if (mode === "compose") {
      throw new BuildDetectionError(
        `build mode is compose, but the repository has none of ${COMPOSE_FILES.join(", ")}`,
      );
    }
  }

  if (list.has("Dockerfile")) {
    const text = (await files.read("Dockerfile")) ?? "";
    return {
      strategy: "dockerfile",
      framework: "dockerfile",
      file: "Dockerfile",
      reason: "found Dockerfile",
      port: dockerfileExposedPort(text),
    };
  }

  const pkg = await readPackageJson(files);
  if (pkg) {
    const plan = await nodeFramework(files, pkg);
    if (plan) return plan;
  }

  const python = await readPythonProject(files);
  if (list.has("manage.py")) {
    if (!python)
      throw new BuildDetectionError(
        "found manage.py (Django), but no requirements.txt or pyproject.toml to install it from",
      );
    return djangoPlan(files, python, "found manage.py");
  }
  if (python) {
    const source = python.source === "requirements.txt" ? "requirements.txt" : "pyproject.toml";
    if (dependsOn(python, "fastapi")) return fastapiPlan(files, python, `found fastapi in ${source}`);
    if (dependsOn(python, "flask")) return flaskPlan(files, python, `found flask in ${source}`);
    if (dependsOn(python, "django")) {
      throw new BuildDetectionError(`found django in ${source}, but no manage.py at the repository root`);
    }
  }

  if (list.has("index.html")) return staticPlan("found index.html and no application framework");

  const seen = [...list].slice(0, 8).join(", ") || "no files";
  throw new BuildDetectionError(
    `could not tell how to build this repository (it has ${seen}${list.size > 8 ? ", …" : ""}); looked for ${LOOKED_FOR.join("; ")}`,
  );
}

async function nodeFramework(files: RepoFiles, pkg: PackageJson): Promise<BuildPlan | undefined> {
  const where = (dep: string) => `found ${dep} in package.json dependencies`;
  if (pkg.deps.next) return nextPlan(files, pkg, where("next"));
  if (pkg.deps.vite) return spaPlan(files, pkg, "vite", where("vite"));
  if (pkg.deps["react-scripts"]) return spaPlan(files, pkg, "create-react-app", where("react-scripts"));
  if (pkg.scripts.start) return nodeStartPlan(files, pkg, 'found a "start" script in package.json');
  return undefined;
}
