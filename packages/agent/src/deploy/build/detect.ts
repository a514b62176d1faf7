import { COMPOSE_FILES, readCompose, webService } from "./compose.ts";
import { djangoApp } from "./django.ts";
import { dockerfileInfo } from "./dockerfile-syntax.ts";
import { goPlan } from "./go.ts";
import { nodePlan } from "./node.ts";
import { readPackageJson } from "./node-project.ts";
import { procfileWeb } from "./procfile.ts";
import {
  dependsOn,
  fastapiApp,
  flaskApp,
  type PythonApp,
  pythonImagePlan,
  readPythonProject,
} from "./python.ts";
import type { RepoFiles } from "./repo-files.ts";
import { hugoConfig, hugoPlan, staticPlan } from "./static.ts";
import {
  BuildDetectionError,
  type BuildPlan,
  emptyPlan,
  type PlanInput,
  type PlanOverrides,
  type ReadyPlan,
} from "./types.ts";

export { COMPOSE_FILES, composePublishedPort } from "./compose.ts";

/** Languages Pylon does not generate images for, named when a repository is refused. */
const OTHER_STACKS: [file: string, what: string][] = [
  ["Gemfile", "a Gemfile (Ruby)"],
  ["composer.json", "composer.json (PHP)"],
  ["Cargo.toml", "Cargo.toml (Rust)"],
  ["pom.xml", "pom.xml (Java, Maven)"],
  ["build.gradle", "build.gradle (Java, Gradle)"],
  ["mix.exs", "mix.exs (Elixir)"],
  ["deno.json", "deno.json (Deno)"],
  ["_config.yml", "_config.yml (Jekyll)"],
];

/** What the repository has, in words, for the plan and for a refusal. */
async function describe(files: RepoFiles, list: Set<string>): Promise<string[]> {
  const out: string[] = [];
  if (list.has("Dockerfile")) out.push("a Dockerfile");
  const compose = COMPOSE_FILES.find((f) => list.has(f));
  if (compose) out.push(compose);
  if (list.has("package.json")) out.push("package.json");
  for (const f of [
    "requirements.txt",
    "pyproject.toml",
    "Pipfile",
    "manage.py",
    "go.mod",
    "Procfile",
    "index.html",
  ])
    if (list.has(f)) out.push(f);
  const hugo = await hugoConfig(files);
  if (hugo) out.push(`a Hugo site (${hugo})`);
  for (const [f, what] of OTHER_STACKS) if (list.has(f)) out.push(what);
  if (list.has(".gitmodules")) out.push("git submodules");
  return out;
}

/** The repository's own Dockerfile, with the port its final stage EXPOSEs. */
async function dockerfilePlan(files: RepoFiles, reason: string, input: PlanInput): Promise<ReadyPlan> {
  const text = (await files.read("Dockerfile")) ?? "";
  const info = dockerfileInfo(text);
  const port = input.overrides.port ?? info.exposed;
  if (!port)
    throw new BuildDetectionError("found a Dockerfile that EXPOSEs no port; set the port the app listens on");
  for (const ignored of ["installCommand", "buildCommand", "startCommand"] as const)
    if (input.overrides[ignored])
      input.warnings.push(
        `the ${ignored.replace("Command", " command")} setting applies to generated Dockerfiles only; the repository's Dockerfile is used as it is`,
      );
  return {
    ...emptyPlan(),
    source: "dockerfile",
    reason: `${reason}; port ${port} (${input.overrides.port ? "your setting" : "EXPOSE"})`,
    framework: "dockerfile",
    frameworkName: "Dockerfile",
    file: "Dockerfile",
    commands: { install: null, build: "docker build", start: info.cmd },
    port,
    env: { PORT: String(port), HOST: "0.0.0.0" },
    warnings: input.warnings,
  };
}

/** The repository's compose file, routed to the service that serves HTTP. */
async function composePlan(
  files: RepoFiles,
  name: string,
  reason: string,
  input: PlanInput,
): Promise<ReadyPlan | null> {
  const text = await files.read(name);
  if (text === undefined) throw new BuildDetectionError(`${name} could not be read`);
  const compose = readCompose(text);
  const web = webService(compose, input.overrides.composeService);
  if (!web) return null;
  const want = input.overrides.port;
  const mapping =
    want !== undefined
      ? web.ports.find((p) => p.target === want)
      : web.ports.find((p) => p.published !== null);
  const targetPort = want ?? mapping?.target ?? web.expose[0] ?? web.ports[0]?.target ?? null;
  if (targetPort === null)
    throw new BuildDetectionError(
      `${name}: service ${web.name} publishes and exposes no port; set the port it listens on`,
    );
  const publishedPort = mapping?.published ?? null;
  input.warnings.push(...compose.devSigns.map((s) => `${name} looks like a development stack: ${s}`));
  const plan: ReadyPlan = {
    ...emptyPlan(),
    source: "compose",
    reason: `${reason}; service ${web.name} serves HTTP on ${publishedPort !== null ? `published port ${publishedPort}` : `port ${targetPort} (Pylon publishes it)`}`,
    framework: "compose",
    frameworkName: "Docker Compose",
    file: name,
    commands: { install: null, build: "docker compose build", start: "docker compose up" },
    port: publishedPort ?? targetPort,
    compose: { service: web.name, services: compose.services.map((s) => s.name), publishedPort, targetPort },
    env: { PORT: String(targetPort), HOST: "0.0.0.0" },
    warnings: input.warnings,
  };
  return plan;
}

/** A Dockerfile generated for the framework the repository uses. */
async function generatedPlan(
  files: RepoFiles,
  list: Set<string>,
  input: PlanInput,
): Promise<ReadyPlan | undefined> {
  const procfile = await procfileWeb(files);
  if (list.has("Procfile") && !procfile)
    input.warnings.push("the Procfile has no web: process; it is not used");
  const python = await readPythonProject(files);
  const manage = [...list].find((f) => /^([^/]+\/)?manage\.py$/.test(f));
  const pythonFirst =
    python &&
    (manage || dependsOn(python, "fastapi") || dependsOn(python, "flask") || dependsOn(python, "django"));
  const pkg = await readPackageJson(files);
  if (pkg && !pythonFirst) {
    const plan = await nodePlan(files, pkg, input, procfile);
    if (plan) return plan;
  }
  if (python) {
    const source = python.source;
    let app: PythonApp | undefined;
    if (manage) app = await djangoApp(files, python, `found ${manage}`, input.warnings);
    else if (dependsOn(python, "django"))
      throw new BuildDetectionError(
        `found django in ${source}, but no manage.py at the repository root or one folder down`,
      );
    else if (dependsOn(python, "fastapi"))
      app = await fastapiApp(files, python, `found fastapi in ${source}`);
    else if (dependsOn(python, "flask")) app = await flaskApp(files, python, `found flask in ${source}`);
    const start = input.overrides.startCommand ?? procfile;
    if (!app && start)
      app = {
        framework: "python",
        name: "Python",
        reason: `found ${source}${procfile ? " and a Procfile" : ""}`,
        extra: [],
        afterCopy: [],
        writes: [],
        env: {},
        start: { shell: start },
      };
    if (!app)
      throw new BuildDetectionError(
        `found a Python project (${source}) without Django, Flask or FastAPI; add a Procfile with "web: <command>" or set the start command`,
      );
    if (procfile && !input.overrides.startCommand) app.start = { shell: procfile };
    return pythonImagePlan(python, app, input);
  }
  if (list.has("go.mod")) return goPlan(files, input);
  const hugo = await hugoConfig(files);
  if (hugo) return hugoPlan(files, hugo, input);
  if (list.has("index.html")) return staticPlan("found index.html and no application framework", input);
  return undefined;
}

/**
 * Decides how to build a repository and says why. Auto mode uses the repository's Dockerfile
 * (its production image) before a compose file (often a development stack beside it), a compose
 * file whose services include the app, else a generated Dockerfile for the detected framework.
 * Throws BuildDetectionError naming what was found when nothing fits.
 */
export async function readyPlan(files: RepoFiles, overrides: PlanOverrides = {}): Promise<ReadyPlan> {
  const list = new Set(await files.list());
  const input: PlanInput = { overrides, warnings: [] };
  const found = await describe(files, list);
  const composeName = COMPOSE_FILES.find((f) => list.has(f));
  const wanted = overrides.source;
  const done = (plan: ReadyPlan) => ({ ...plan, found });

  if (wanted === "compose") {
    if (!composeName)
      throw new BuildDetectionError(
        `source is compose, but the repository has none of ${COMPOSE_FILES.join(", ")}`,
      );
    const plan = await composePlan(files, composeName, "you chose its compose file", input);
    if (!plan)
      throw new BuildDetectionError(
        `${composeName} runs only backing services (no app service); choose the service that serves HTTP`,
      );
    return done(plan);
  }
  if (wanted === "dockerfile") {
    if (!list.has("Dockerfile"))
      throw new BuildDetectionError("source is dockerfile, but the repository has no Dockerfile");
    return done(await dockerfilePlan(files, "you chose its Dockerfile", input));
  }
  if (wanted !== "generated") {
    if (list.has("Dockerfile")) {
      const also = composeName ? `; ${composeName} is not used (choose compose to deploy it instead)` : "";
      return done(await dockerfilePlan(files, `found a Dockerfile${also}`, input));
    }
    if (composeName) {
      const plan = await composePlan(files, composeName, `found ${composeName}`, input);
      if (plan) return done(plan);
      input.warnings.push(
        `${composeName} runs only backing services (databases, tools): it is not deployed; give the app their addresses with environment variables`,
      );
    }
  }
  const plan = await generatedPlan(files, list, input);
  if (plan) return done(plan);
  throw new BuildDetectionError(
    `could not tell how to build this repository: it has ${found.length ? found.join(", ") : `${[...list].slice(0, 6).join(", ") || "no files"}`}; Pylon builds Node.js, Python (Django, Flask, FastAPI), Go, Hugo and static sites, a Dockerfile or a compose file; add a Dockerfile`,
  );
}

/**
 * The plan for a repository, or a plan with `refused` set saying why it cannot be built and
 * what was found. Never throws for a repository's content; only for reading it.
 */
export async function planBuild(files: RepoFiles, overrides: PlanOverrides = {}): Promise<BuildPlan> {
  try {
    return await readyPlan(files, overrides);
  } catch (err) {
    if (!(err instanceof BuildDetectionError)) throw err;
    const list = new Set(await files.list());
    return { ...emptyPlan(), refused: err.message, found: await describe(files, list) };
  }
}
