import { cmdLine, commandText, envLine, header, staticStage } from "./dockerfile.ts";
import { images, STATIC_SERVER_PORT } from "./images.ts";
import { type NodeApp, nodeApp } from "./node-frameworks.ts";
import { type NodeInstall, nodeInstall, nodeVersionAsks, type PackageJson } from "./node-project.ts";
import { findPort } from "./ports.ts";
import type { RepoFiles } from "./repo-files.ts";
import { DEFAULT_DOCKERIGNORE, emptyPlan, type PlanInput, type ReadyPlan } from "./types.ts";
import { DEFAULT_NODE, NODE_LINES, nodeLine, nodeRange, resolveVersion, runtimeEntry } from "./versions.ts";

/** Tools that only belong in development; a start script running one gets a warning. */
const DEV_SERVERS = /\b(nodemon|vite(?! preview)|next dev|nuxt dev|webpack-dev-server|ts-node-dev)\b/;

/** The lines that make the package manager available in a stage. */
function setupLines(install: NodeInstall): string[] {
  const lines = install.setup.map((cmd) => `RUN ${cmd}`);
  return install.manager === "yarn-berry" && install.setup.length
    ? ["ENV COREPACK_HOME=/usr/local/share/corepack", ...lines]
    : lines;
}

/** A plan for a Node project, or undefined when package.json names nothing Pylon can run. */
export async function nodePlan(
  files: RepoFiles,
  pkg: PackageJson,
  input: PlanInput,
  procfileStart: string | null,
): Promise<ReadyPlan | undefined> {
  const { overrides, warnings } = input;
  let app = await nodeApp(files, pkg);
  if (!app && (procfileStart || overrides.startCommand)) {
    app = {
      kind: "server",
      framework: "node",
      name: "Node.js",
      reason: "found package.json",
      build: pkg.scripts.build ? "script" : null,
      start: "script",
      entry: null,
      defaultPort: 3000,
      env: {},
    };
  }
  if (!app) return undefined;
  const install = await nodeInstall(files, pkg);
  const asks = await nodeVersionAsks(files, pkg, install);
  if (overrides.nodeVersion)
    asks.unshift({ range: nodeRange(overrides.nodeVersion) ?? overrides.nodeVersion, from: "your setting" });
  const version = resolveVersion("Node.js", asks, NODE_LINES, DEFAULT_NODE, nodeLine);
  warnings.push(...version.warnings);
  const image = images.node(version.tag);

  const installCmd = overrides.installCommand ?? install.install;
  const buildCmd = overrides.buildCommand ?? (app.build === "script" ? install.run("build") : app.build);
  const lock = install.lockfile
    ? `${install.manager} with ${install.lockfile}`
    : `${install.manager}, no lockfile`;
  if (!install.lockfile)
    warnings.push(
      `no lockfile: dependencies are resolved afresh at every build (commit ${install.manager === "npm" ? "package-lock.json" : "the lockfile"})`,
    );

  const plan: ReadyPlan = {
    ...emptyPlan(),
    source: "generated",
    framework: app.framework,
    frameworkName: app.name,
    packageManager: install.manager === "yarn-berry" ? "yarn" : install.manager,
    runtime: runtimeEntry("node", version, image),
    dockerignore: DEFAULT_DOCKERIGNORE,
    warnings,
  };
  const build = [
    ...header(app.name, app.reason, [`Node.js ${version.version} (${version.from}); dependencies: ${lock}.`]),
    `FROM ${image} AS build`,
    "WORKDIR /app",
    ...setupLines(install),
  ];
  const manifests = overrides.installCommand ? null : install.manifests;
  build.push(manifests ? `COPY ${manifests.join(" ")} ./` : "COPY . .", `RUN ${installCmd}`);
  if (manifests) build.push("COPY . .");
  if (app.kind === "server" && app.framework === "nextjs")
    build.splice(build.indexOf("WORKDIR /app") + 1, 0, envLine({ NEXT_TELEMETRY_DISABLED: "1" }));
  if (buildCmd) build.push(`RUN ${buildCmd}`);

  if (app.kind === "static" && !overrides.startCommand) {
    plan.reason = `${app.reason}; builds ${app.outDir}/ and serves it with nginx`;
    plan.commands = { install: installCmd, build: buildCmd, start: "nginx (static files)" };
    plan.port = STATIC_SERVER_PORT;
    if (overrides.port && overrides.port !== STATIC_SERVER_PORT)
      warnings.push(
        `the static server listens on ${STATIC_SERVER_PORT}; the port setting (${overrides.port}) is ignored`,
      );
    plan.env = { PORT: String(STATIC_SERVER_PORT) };
    plan.dockerfile = `${[...build, "", ...staticStage(images.staticServer, "build", app.outDir, app.spa)].join("\n")}\n`;
    return plan;
  }
  const server: Extract<NodeApp, { kind: "server" }> =
    app.kind === "server"
      ? app
      : {
          kind: "server",
          framework: app.framework,
          name: app.name,
          reason: app.reason,
          build: app.build,
          start: "script",
          entry: null,
          defaultPort: 3000,
          env: {},
        };

  const startText = overrides.startCommand ?? procfileStart;
  const start: string[] | { shell: string } = startText
    ? { shell: startText }
    : server.start === "script"
      ? install.manager === "bun"
        ? ["bun", "run", "start"]
        : install.manager === "yarn-berry"
          ? ["yarn", "start"]
          : ["npm", "start"]
      : server.start;
  const startScript = server.start === "script" && !startText ? (pkg.scripts.start ?? "") : (startText ?? "");
  if (DEV_SERVERS.test(startScript))
    warnings.push(
      `the start command runs a development server (${DEV_SERVERS.exec(startScript)![0]}); use a production start command`,
    );

  const found = await findPort(files, server.entry);
  const port = overrides.port ?? found?.port ?? server.defaultPort;
  const portWhy = overrides.port
    ? "your setting"
    : found
      ? `${found.file}`
      : "the framework's default; PORT is set";
  // devDependencies are pruned unless the start command runs one of them (tsx, ts-node, …).
  const needsDev = pkg.devOnly.some((d) =>
    new RegExp(`(^|[\\s/])${d.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&")}(\\s|$)`).test(startScript),
  );
  if (install.prune && !needsDev && !server.standalone && !overrides.installCommand)
    build.push(`RUN ${install.prune}`);

  const env = { NODE_ENV: "production", ...server.env, PORT: String(port), HOST: "0.0.0.0" };
  const run = ["", `FROM ${image}`, "WORKDIR /app", envLine(env)];
  if (
    install.manager === "bun" ||
    (install.manager === "yarn-berry" && !startText && server.start === "script")
  )
    run.push(...setupLines(install));
  if (server.standalone) {
    if ((await files.list()).some((f) => f.startsWith("public/")))
      run.push("COPY --from=build --chown=node:node /app/public ./public");
    run.push("COPY --from=build --chown=node:node /app/.next/standalone ./");
    run.push("COPY --from=build --chown=node:node /app/.next/static ./.next/static");
  } else run.push("COPY --from=build --chown=node:node /app ./");
  run.push("USER node", `EXPOSE ${port}`, cmdLine(start));

  plan.reason = `${server.reason}; port ${port} (${portWhy})`;
  plan.commands = { install: installCmd, build: buildCmd, start: commandText(start) };
  plan.port = port;
  plan.env = { PORT: String(port), HOST: "0.0.0.0" };
  plan.dockerfile = `${[...build, ...run].join("\n")}\n`;
  return plan;
}
