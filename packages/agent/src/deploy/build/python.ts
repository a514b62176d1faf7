import { shellJoin } from "@pylon/shared/shell/quote";
import { cmdLine, commandText, envLine, header } from "./dockerfile.ts";
import { images, PYTHON_SERVERS } from "./images.ts";
import { dependsOn, type PythonProject } from "./python-project.ts";
import type { RepoFiles } from "./repo-files.ts";
import {
  BuildDetectionError,
  DEFAULT_DOCKERIGNORE,
  emptyPlan,
  type PlanInput,
  type ReadyPlan,
} from "./types.ts";
import {
  DEFAULT_PYTHON,
  minorLine,
  PYTHON_LINES,
  pythonRange,
  resolveVersion,
  runtimeEntry,
} from "./versions.ts";

export { dependsOn, type PythonProject, readPythonProject } from "./python-project.ts";

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
      `found several ${factory}() apps (${found.map((f) => f.file).join(", ")}); set the start command or add a Dockerfile to say which to run`,
    );
  }
  return found[0];
}

/** What a Python framework adds to the shared image. */
export interface PythonApp {
  framework: string;
  name: string;
  reason: string;
  /** Servers to pip install when the project lacks them. */
  extra: string[];
  /** RUN lines after the source is copied (collectstatic). */
  afterCopy: string[];
  /** Files written into the image before the copy, as [path, content]. */
  writes: [string, string][];
  env: Record<string, string>;
  start: string[] | { shell: string };
}

/** The image for a Python app: the project's Python, its dependencies, a non-root user. */
export function pythonImagePlan(project: PythonProject, app: PythonApp, input: PlanInput): ReadyPlan {
  const { overrides, warnings } = input;
  const asks = [...project.asks];
  if (overrides.pythonVersion)
    asks.unshift({
      range: pythonRange(overrides.pythonVersion) ?? overrides.pythonVersion,
      from: "your setting",
    });
  const version = resolveVersion("Python", asks, PYTHON_LINES, DEFAULT_PYTHON, minorLine);
  warnings.push(...version.warnings);
  const image = images.python(version.tag);
  const port = overrides.port ?? 8000;
  const install = overrides.installCommand ? [overrides.installCommand] : project.install;
  const lines = [
    ...header(app.name, app.reason, [
      `Python ${version.version} (${version.from}); dependencies: ${project.manager} with ${project.source}.`,
    ]),
    `FROM ${image}`,
    envLine({ PYTHONDONTWRITEBYTECODE: "1", PYTHONUNBUFFERED: "1", PIP_DISABLE_PIP_VERSION_CHECK: "1" }),
    "WORKDIR /app",
  ];
  if (overrides.installCommand || project.manifests.length === 0) lines.push("COPY . .");
  else lines.push(`COPY ${project.manifests.join(" ")} ./`);
  lines.push(`RUN ${install.join(" && ")}`);
  if (app.extra.length) lines.push(`RUN ${shellJoin(["pip", "install", "--no-cache-dir", ...app.extra])}`);
  if (!overrides.installCommand && project.manifests.length > 0) lines.push("COPY . .");
  for (const [path, content] of app.writes)
    lines.push(`RUN ${shellJoin(["printf", "%s\\n", ...content.split("\n")])} > ${path}`);
  const env = { ...app.env, PORT: String(port), HOST: "0.0.0.0" };
  lines.push(envLine(env));
  const build = overrides.buildCommand ?? null;
  if (build) lines.push(`RUN ${build}`);
  lines.push(...app.afterCopy.map((c) => `RUN ${c}`));
  const start = overrides.startCommand ? { shell: overrides.startCommand } : app.start;
  lines.push(
    "RUN useradd --system --uid 10001 --no-create-home app && chown -R app /app",
    "USER app",
    `EXPOSE ${port}`,
    cmdLine(start),
  );
  return {
    ...emptyPlan(),
    source: "generated",
    reason: `${app.reason}; port ${port}${overrides.port ? " (your setting)" : ""}`,
    framework: app.framework,
    frameworkName: app.name,
    runtime: runtimeEntry("python", version, image),
    packageManager: project.manager,
    commands: {
      install: [...install, ...(app.extra.length ? [shellJoin(["pip", "install", ...app.extra])] : [])].join(
        " && ",
      ),
      build: [build, ...app.afterCopy].filter(Boolean).join(" && ") || null,
      start: commandText(start),
    },
    port,
    env: { PORT: String(port), HOST: "0.0.0.0", ...app.env },
    dockerfile: `${lines.join("\n")}\n`,
    dockerignore: DEFAULT_DOCKERIGNORE,
    warnings,
  };
}

/** FastAPI served by uvicorn, from the module that creates the `FastAPI()` instance. */
export async function fastapiApp(
  files: RepoFiles,
  project: PythonProject,
  reason: string,
): Promise<PythonApp> {
  const app = await findAppObject(files, "FastAPI");
  if (!app)
    throw new BuildDetectionError(
      `${reason}, but no Python file creates a FastAPI() app (looked for "app = FastAPI("); set the start command`,
    );
  const target = `${app.module}:${app.variable}`;
  return {
    framework: "fastapi",
    name: "FastAPI",
    reason: `${reason}; app ${target} in ${app.file}`,
    extra: dependsOn(project, "uvicorn") ? [] : [PYTHON_SERVERS.uvicorn],
    afterCopy: [],
    writes: [],
    env: {},
    // uvicorn reads no PORT variable: the shell expands it, so a changed PORT still applies.
    start: {
      shell: `exec uvicorn ${target} --host 0.0.0.0 --port "\${PORT:-8000}" --proxy-headers --forwarded-allow-ips '*'`,
    },
  };
}

/** Flask served by gunicorn (which binds 0.0.0.0:$PORT by itself), from the module with `Flask()`. */
export async function flaskApp(files: RepoFiles, project: PythonProject, reason: string): Promise<PythonApp> {
  const app = await findAppObject(files, "Flask");
  if (!app)
    throw new BuildDetectionError(
      `${reason}, but no Python file creates a Flask() app (looked for "app = Flask("); set the start command`,
    );
  const target = `${app.module}:${app.variable}`;
  return {
    framework: "flask",
    name: "Flask",
    reason: `${reason}; app ${target} in ${app.file}`,
    extra: dependsOn(project, "gunicorn") ? [] : [PYTHON_SERVERS.gunicorn],
    afterCopy: [],
    writes: [],
    env: {},
    start: ["gunicorn", "--access-logfile", "-", target],
  };
}
