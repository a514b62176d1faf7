import { shellJoin } from "@pylon/shared/shell/quote";
import { PYTHON_TOOLS } from "./images.ts";
import type { RepoFiles } from "./repo-files.ts";
import { BuildDetectionError } from "./types.ts";
import { pythonRange, type VersionAsk } from "./versions.ts";

export type PythonManager = "pip" | "pipenv" | "poetry" | "uv" | "pdm";

/** How a Python project declares its dependencies, and its dependency text for name checks. */
export interface PythonProject {
  manager: PythonManager;
  /** The file the dependencies come from (shown to the user). */
  source: string;
  /** Requirement texts (every manifest together) used to look names up. */
  text: string;
  /** `[project].dependencies` when no lockfile or requirements.txt pins them. */
  projectDependencies: string[];
  /** Files copied before installing (layer caching). */
  manifests: string[];
  /** RUN commands that install the dependencies into the image's Python. */
  install: string[];
  asks: VersionAsk[];
}

/** The body of a TOML table (`[project]`) up to the next table. */
export function tomlTable(text: string, name: string): string {
  const escaped = name.replace(/[.[\]]/g, "\\$&");
  return new RegExp(`^\\[${escaped}\\]\\s*$([\\s\\S]*?)(?=^\\[|(?![\\s\\S]))`, "m").exec(text)?.[1] ?? "";
}

/** A string value of a TOML key in a table body (`requires-python = ">=3.11"`). */
export function tomlString(body: string, key: string): string | undefined {
  const m = new RegExp(`^${key.replace(/[-.]/g, "\\$&")}\\s*=\\s*["']([^"'\\n]*)["']`, "m").exec(body);
  return m?.[1];
}

/** The strings of `[project] dependencies = [...]` in a pyproject.toml. */
function projectDependencies(pyproject: string): string[] {
  const section = tomlTable(pyproject, "project");
  // The array holds quoted strings (which may contain "]", as in "uvicorn[standard]") and comments.
  const array = /^dependencies\s*=\s*\[((?:\s|,|#[^\n]*|"[^"\n]*"|'[^'\n]*')*)\]/m.exec(section)?.[1] ?? "";
  return [...array.replace(/#[^\n]*/g, "").matchAll(/"([^"]+)"|'([^']+)'/g)].map((m) =>
    (m[1] ?? m[2])!.trim(),
  );
}

const pipInstall = (...args: string[]) => shellJoin(["pip", "install", "--no-cache-dir", ...args]);

/**
 * Finds how the project declares dependencies (lockfiles first: uv, Poetry, PDM, Pipenv; then
 * requirements.txt; then pyproject's [project] list) and where it states its Python version.
 * Undefined when the repository has no Python manifest.
 */
export async function readPythonProject(files: RepoFiles): Promise<PythonProject | undefined> {
  const list = new Set(await files.list());
  const read = async (f: string) => (list.has(f) ? ((await files.read(f)) ?? "") : undefined);
  const requirements = await read("requirements.txt");
  const pyproject = await read("pyproject.toml");
  const pipfile = await read("Pipfile");
  if (requirements === undefined && pyproject === undefined && pipfile === undefined) return undefined;
  const text = [requirements, pyproject, pipfile].filter((t) => t !== undefined).join("\n");

  const asks: VersionAsk[] = [];
  const ask = (value: string | undefined, from: string) => {
    const range = value ? pythonRange(value.trim()) : null;
    if (range) asks.push({ range, from });
  };
  ask((await read(".python-version"))?.split("\n")[0], ".python-version");
  ask((await read("runtime.txt"))?.trim().replace(/^python-/, ""), "runtime.txt");
  ask(/^python\s+(\S+)/m.exec((await read(".tool-versions")) ?? "")?.[1], ".tool-versions");
  if (pipfile) {
    const requires = tomlTable(pipfile, "requires");
    ask(
      tomlString(requires, "python_full_version") ?? tomlString(requires, "python_version"),
      "Pipfile [requires]",
    );
  }
  if (pyproject) {
    ask(tomlString(tomlTable(pyproject, "project"), "requires-python"), "pyproject.toml requires-python");
    ask(
      tomlString(tomlTable(pyproject, "tool.poetry.dependencies"), "python"),
      "pyproject.toml (Poetry) python",
    );
  }

  const base = { text, projectDependencies: [] as string[], asks };
  if (list.has("uv.lock") && pyproject !== undefined) {
    return {
      ...base,
      manager: "uv",
      source: "uv.lock",
      manifests: ["pyproject.toml", "uv.lock"],
      install: [
        pipInstall(PYTHON_TOOLS.uv),
        "uv export --frozen --no-dev --no-emit-project --output-file /tmp/requirements.txt",
        "uv pip install --system --no-cache -r /tmp/requirements.txt",
      ],
    };
  }
  if (pyproject !== undefined && (list.has("poetry.lock") || /^\[tool\.poetry/m.test(pyproject))) {
    const lock = list.has("poetry.lock");
    return {
      ...base,
      manager: "poetry",
      source: lock ? "poetry.lock" : "pyproject.toml (Poetry)",
      manifests: lock ? ["pyproject.toml", "poetry.lock"] : ["pyproject.toml"],
      install: [
        pipInstall(PYTHON_TOOLS.poetry),
        "poetry config virtualenvs.create false",
        "poetry install --only main --no-root --no-interaction --no-ansi",
        "pip uninstall --yes poetry",
      ],
    };
  }
  if (pyproject !== undefined && (list.has("pdm.lock") || /^\[tool\.pdm/m.test(pyproject))) {
    const lock = list.has("pdm.lock");
    return {
      ...base,
      manager: "pdm",
      source: lock ? "pdm.lock" : "pyproject.toml (PDM)",
      manifests: lock ? ["pyproject.toml", "pdm.lock"] : ["pyproject.toml"],
      install: [
        pipInstall(PYTHON_TOOLS.pdm),
        "pdm export --prod --output /tmp/requirements.txt",
        "pip install --no-cache-dir -r /tmp/requirements.txt",
        "pip uninstall --yes pdm",
      ],
    };
  }
  if (pipfile !== undefined) {
    const lock = list.has("Pipfile.lock");
    return {
      ...base,
      manager: "pipenv",
      source: lock ? "Pipfile.lock" : "Pipfile",
      manifests: lock ? ["Pipfile", "Pipfile.lock"] : ["Pipfile"],
      install: [
        pipInstall(PYTHON_TOOLS.pipenv),
        lock ? "pipenv install --system --deploy" : "pipenv install --system --skip-lock",
        "pip uninstall --yes pipenv",
      ],
    };
  }
  if (requirements !== undefined) {
    return {
      ...base,
      manager: "pip",
      source: "requirements.txt",
      manifests: ["requirements.txt"],
      install: ["pip install --no-cache-dir -r requirements.txt"],
    };
  }
  const deps = projectDependencies(pyproject ?? "");
  if (deps.length === 0)
    throw new BuildDetectionError(
      "found pyproject.toml, but it declares no [project] dependencies and there is no requirements.txt or lockfile",
    );
  return {
    ...base,
    manager: "pip",
    source: "pyproject.toml",
    projectDependencies: deps,
    manifests: [],
    install: [pipInstall(...deps)],
  };
}

/** True when the project depends on the named distribution (case-insensitive, any extras/version). */
export function dependsOn(project: PythonProject, name: string): boolean {
  const escaped = name.replace(/[.*+?^${}()|[\]\\-]/g, "\\$&");
  return new RegExp(`(^|["'\\s])${escaped}\\s*(\\[|[<>=!~;,"'\\s]|$)`, "im").test(project.text);
}
