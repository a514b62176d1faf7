import { shellJoin } from "@pylon/shared/shell/quote";
import { BASE_IMAGES, PYTHON_SERVERS } from "./images.ts";
import type { RepoFiles } from "./repo-files.ts";
import { BuildDetectionError, DEFAULT_DOCKERIGNORE, type GeneratedPlan } from "./types.ts";

/** How a Python project declares its dependencies, and its dependency text for name checks. */
export interface PythonProject {
  source: "requirements.txt" | "poetry" | "pyproject.toml";
  /** Requirement texts (requirements.txt and pyproject together) used to look names up. */
  text: string;
  /** `[project].dependencies` when that is how the project declares them. */
  projectDependencies: string[];
}

/** Finds how the project declares dependencies, or undefined when it has no Python manifest. */
export async function readPythonProject(files: RepoFiles): Promise<PythonProject | undefined> {
  const list = new Set(await files.list());
  const requirements = list.has("requirements.txt")
    ? ((await files.read("requirements.txt")) ?? "")
    : undefined;
  const pyproject = list.has("pyproject.toml") ? ((await files.read("pyproject.toml")) ?? "") : undefined;
  if (requirements === undefined && pyproject === undefined) return undefined;
  const text = `${requirements ?? ""}\n${pyproject ?? ""}`;
  if (requirements !== undefined) return { source: "requirements.txt", text, projectDependencies: [] };
  if (list.has("poetry.lock") && /^\[tool\.poetry/m.test(pyproject ?? "")) {
    return { source: "poetry", text, projectDependencies: [] };
  }
  return { source: "pyproject.toml", text, projectDependencies: projectDependencies(pyproject ?? "") };
}

/** The strings of `[project] dependencies = [...]` in a pyproject.toml. */
function projectDependencies(pyproject: string): string[] {
  const section = /^\[project\]\s*$([\s\S]*?)(?=^\[|(?![\s\S]))/m.exec(pyproject)?.[1] ?? "";
  // The array holds quoted strings (which may contain "]", as in "uvicorn[standard]") and comments.
  const array = /^dependencies\s*=\s*\[((?:\s|,|#[^\n]*|"[^"\n]*"|'[^'\n]*')*)\]/m.exec(section)?.[1] ?? "";
  return [...array.replace(/#[^\n]*/g, "").matchAll(/"([^"]+)"|'([^']+)'/g)].map((m) =>
    (m[1] ?? m[2])!.trim(),
  );
}

/** True when the project depends on the named distribution (case-insensitive, any extras/version). */
export function dependsOn(project: PythonProject, name: string): boolean {
  const escaped = name.replace(/[.*+?^${}()|[\]\\-]/g, "\\$&");
  return new RegExp(`(^|["'\\s])${escaped}\\s*(\\[|[<>=!~;,"'\\s]|$)`, "im").test(project.text);
}

/** Python module path of a repository file (`app/main.py` → `app.main`). */
export function moduleOf(path: string): string {
  return path
    .replace(/\.py$/, "")
    .replace(/\/__init__$/, "")
    .split("/")
    .join(".");
}

const IGNORED_PY = /(^|\/)(tests?|\.?venv|site-packages|migrations|node_modules)\//;

/** Python files worth scanning for an app object, shallowest first. */
async function pythonSources(files: RepoFiles): Promise<string[]> {
  return (
    (await files.list())
      .filter(
        (f) => f.endsWith(".py") && !IGNORED_PY.test(f) && !/(^|\/)(setup|conftest|test_[^/]*)\.py$/.test(f),
      )
      .filter((f) => f.split("/").length <= 3)
      // Only paths Python can import as modules; this also keeps odd file names out of the Dockerfile.
      .filter((f) => /^(?:[A-Za-z_]\w*\/)*[A-Za-z_]\w*\.py$/.test(f))
      .sort((a, b) => a.split("/").length - b.split("/").length || a.localeCompare(b))
  );
}

const PREFERRED_FILES = ["wsgi.py", "asgi.py", "app.py", "main.py", "application.py", "server.py", "run.py"];

/**
 * Finds `name = Factory(...)` assignments (the app object) in the project's Python files. Several
 * candidates are narrowed by conventional file names; a tie is refused rather than guessed.
 */
export async function findAppObject(
  files: RepoFiles,
  factory: "Flask" | "FastAPI",
): Promise<{ module: string; variable: string; file: string } | undefined> {
  const pattern = new RegExp(
    `^([A-Za-z_]\\w*)\\s*(?::[^=\\n]+)?=\\s*(?:${factory}|\\w+\\.${factory})\\(`,
    "m",
  );
  const found: { module: string; variable: string; file: string }[] = [];
  for (const file of await pythonSources(files)) {
    const m = pattern.exec((await files.read(file)) ?? "");
    if (m) found.push({ module: moduleOf(file), variable: m[1]!, file });
  }
  if (found.length <= 1) return found[0];
  const rank = (f: string) => {
    const i = PREFERRED_FILES.indexOf(f.split("/").pop()!);
    return (i === -1 ? PREFERRED_FILES.length : i) + f.split("/").length * 100;
  };
  found.sort((a, b) => rank(a.file) - rank(b.file));
  if (rank(found[0]!.file) === rank(found[1]!.file)) {
    throw new BuildDetectionError(
      `found several ${factory}() apps (${found.map((f) => f.file).join(", ")}); add a Dockerfile to say which to run`,
    );
  }
  return found[0];
}

/** Lines of the Python image up to the installed dependencies and a non-root `app` user. */
export function pythonBase(project: PythonProject, extra: string[]): string[] {
  const lines = [
    `FROM ${BASE_IMAGES.python}`,
    "ENV PYTHONDONTWRITEBYTECODE=1 PYTHONUNBUFFERED=1 PIP_DISABLE_PIP_VERSION_CHECK=1",
    "WORKDIR /app",
  ];
  if (project.source === "requirements.txt") {
    lines.push("COPY requirements.txt ./", "RUN pip install --no-cache-dir -r requirements.txt");
  } else if (project.source === "poetry") {
    lines.push("COPY pyproject.toml poetry.lock ./");
    lines.push("RUN pip install --no-cache-dir poetry==1.8.5 && poetry config virtualenvs.create false \\");
    lines.push("    && poetry install --only main --no-root --no-interaction && pip uninstall --yes poetry");
  } else if (project.projectDependencies.length > 0) {
    lines.push(`RUN ${shellJoin(["pip", "install", "--no-cache-dir", ...project.projectDependencies])}`);
  } else {
    throw new BuildDetectionError(
      "pyproject.toml declares no [project] dependencies and there is no requirements.txt",
    );
  }
  if (extra.length > 0) lines.push(`RUN ${shellJoin(["pip", "install", "--no-cache-dir", ...extra])}`);
  lines.push("COPY . .", "RUN useradd --system --uid 10001 --no-create-home app && chown -R app /app");
  return lines;
}

/** A generated plan for a Python server on port 8000. */
export function pythonPlan(
  framework: GeneratedPlan["framework"],
  reason: string,
  lines: string[],
): GeneratedPlan {
  return {
    strategy: "generated",
    framework,
    reason,
    port: 8000,
    dockerfile: `${lines.join("\n")}\n`,
    dockerignore: DEFAULT_DOCKERIGNORE,
  };
}

/** FastAPI served by uvicorn, from the module that creates the `FastAPI()` instance. */
export async function fastapiPlan(
  files: RepoFiles,
  project: PythonProject,
  reason: string,
): Promise<GeneratedPlan> {
  const app = await findAppObject(files, "FastAPI");
  if (!app)
    throw new BuildDetectionError(
      `${reason}, but no Python file creates a FastAPI() app (looked for "app = FastAPI(")`,
    );
  const extra = dependsOn(project, "uvicorn") ? [] : [PYTHON_SERVERS.uvicorn];
  const target = `${app.module}:${app.variable}`;
  const lines = [
    `# Generated by Pylon for FastAPI: ${reason}; app ${target} in ${app.file}.`,
    ...pythonBase(project, extra),
  ];
  lines.push("USER app", "EXPOSE 8000");
  lines.push(
    `CMD ${JSON.stringify(["uvicorn", target, "--host", "0.0.0.0", "--port", "8000", "--proxy-headers"])}`,
  );
  return pythonPlan("fastapi", `${reason}; app ${target} in ${app.file}`, lines);
}

/** Flask served by gunicorn, from the module that creates the `Flask()` instance. */
export async function flaskPlan(
  files: RepoFiles,
  project: PythonProject,
  reason: string,
): Promise<GeneratedPlan> {
  const app = await findAppObject(files, "Flask");
  if (!app)
    throw new BuildDetectionError(
      `${reason}, but no Python file creates a Flask() app (looked for "app = Flask(")`,
    );
  const extra = dependsOn(project, "gunicorn") ? [] : [PYTHON_SERVERS.gunicorn];
  const target = `${app.module}:${app.variable}`;
  const lines = [
    `# Generated by Pylon for Flask: ${reason}; app ${target} in ${app.file}.`,
    ...pythonBase(project, extra),
  ];
  lines.push("USER app", "EXPOSE 8000");
  lines.push(
    `CMD ${JSON.stringify(["gunicorn", "--bind", "0.0.0.0:8000", "--access-logfile", "-", target])}`,
  );
  return pythonPlan("flask", `${reason}; app ${target} in ${app.file}`, lines);
}
