import { shellJoin } from "@pylon/shared/shell/quote";
import { BASE_IMAGES, STATIC_SERVER_PORT } from "./images.ts";
import type { RepoFiles } from "./repo-files.ts";
import { BuildDetectionError, DEFAULT_DOCKERIGNORE, type GeneratedPlan } from "./types.ts";

/** The parts of package.json detection reads. */
export interface PackageJson {
  main?: string;
  packageManager?: string;
  workspaces?: unknown;
  scripts: Record<string, string>;
  deps: Record<string, string>;
}

/** Reads and loosely validates package.json; a broken one is an error naming the file. */
export async function readPackageJson(files: RepoFiles): Promise<PackageJson | undefined> {
  const text = await files.read("package.json");
  if (text === undefined) return undefined;
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (err) {
    throw new BuildDetectionError(
      `package.json is not valid JSON: ${err instanceof Error ? err.message : err}`,
    );
  }
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
    throw new BuildDetectionError("package.json is not a JSON object");
  }
  const obj = raw as Record<string, unknown>;
  const strings = (v: unknown): Record<string, string> =>
    typeof v === "object" && v !== null
      ? Object.fromEntries(Object.entries(v).filter((e): e is [string, string] => typeof e[1] === "string"))
      : {};
  return {
    main: typeof obj.main === "string" ? obj.main : undefined,
    packageManager: typeof obj.packageManager === "string" ? obj.packageManager : undefined,
    workspaces: obj.workspaces,
    scripts: strings(obj.scripts),
    deps: { ...strings(obj.devDependencies), ...strings(obj.dependencies) },
  };
}

type Manager = "npm" | "pnpm" | "yarn" | "yarn-berry";

interface Install {
  manager: Manager;
  lockfile: string | null;
  /** Files copied before installing, for layer caching; null means the whole context. */
  manifests: string[] | null;
  setup: string[];
  install: string;
  prune: string | null;
  runBuild: string;
}

const MANIFEST_EXTRAS = [".npmrc", ".yarnrc", "pnpm-workspace.yaml", ".pnpmfile.cjs"];

/** Chooses the package manager and its install commands from the lockfile that is present. */
export async function nodeInstall(files: RepoFiles, pkg: PackageJson): Promise<Install> {
  const list = new Set(await files.list());
  const pm = /^(pnpm|yarn)@(\d+)\.(\d+)\.(\d+)/.exec(pkg.packageManager ?? "");
  // Patches, workspaces and Yarn's own release files must be present before install: copy all.
  const needsWholeContext =
    pkg.workspaces !== undefined ||
    [...list].some((f) => f.startsWith("patches/") || f.startsWith(".yarn/") || /\/package\.json$/.test(f));
  const manifests = (lockfile: string) =>
    needsWholeContext ? null : ["package.json", lockfile, ...MANIFEST_EXTRAS.filter((f) => list.has(f))];

  if (list.has("pnpm-lock.yaml")) {
    const lock = (await files.read("pnpm-lock.yaml")) ?? "";
    const lockMajor = Number(/^lockfileVersion:\s*'?(\d+)/m.exec(lock)?.[1] ?? "9");
    // lockfile v9 is pnpm 9+, v6 is pnpm 8, v5 is pnpm 7.
    const version =
      pm?.[1] === "pnpm" ? `${pm[2]}.${pm[3]}.${pm[4]}` : lockMajor >= 9 ? "9" : lockMajor >= 6 ? "8" : "7";
    return {
      manager: "pnpm",
      lockfile: "pnpm-lock.yaml",
      manifests: manifests("pnpm-lock.yaml"),
      setup: [shellJoin(["npm", "install", "--global", `pnpm@${version}`])],
      install: "pnpm install --frozen-lockfile",
      prune: "pnpm prune --prod",
      runBuild: "pnpm run build",
    };
  }
  if (list.has("yarn.lock")) {
    const lock = (await files.read("yarn.lock")) ?? "";
    if (/^__metadata:/m.test(lock) || (pm?.[1] === "yarn" && Number(pm[2]) >= 2)) {
      return {
        manager: "yarn-berry",
        lockfile: "yarn.lock",
        manifests: null,
        setup: ["corepack enable"],
        install: "yarn install --immutable",
        prune: null,
        runBuild: "yarn run build",
      };
    }
    return {
      manager: "yarn",
      lockfile: "yarn.lock",
      manifests: manifests("yarn.lock"),
      setup: [],
      install: "yarn install --frozen-lockfile",
      prune: "yarn install --production --frozen-lockfile --ignore-scripts --prefer-offline",
      runBuild: "yarn run build",
    };
  }
  const npmLock = ["package-lock.json", "npm-shrinkwrap.json"].find((f) => list.has(f));
  return {
    manager: "npm",
    lockfile: npmLock ?? null,
    manifests: npmLock ? manifests(npmLock) : needsWholeContext ? null : ["package.json"],
    setup: [],
    install: npmLock ? "npm ci" : "npm install",
    prune: "npm prune --omit=dev",
    runBuild: "npm run build",
  };
}

/** The build stage shared by every Node framework: install (lockfile-aware), copy, build. */
function buildStage(install: Install, buildCommand: string | null): string[] {
  const lines = [`FROM ${BASE_IMAGES.node} AS build`, "WORKDIR /app"];
  for (const cmd of install.setup) lines.push(`RUN ${cmd}`);
  if (install.manifests) lines.push(`COPY ${install.manifests.join(" ")} ./`);
  else lines.push("COPY . .");
  lines.push(`RUN ${install.install}`);
  if (install.manifests) lines.push("COPY . .");
  if (buildCommand) lines.push(`RUN ${buildCommand}`);
  return lines;
}

function header(framework: string, reason: string, install: Install): string[] {
  const lock = install.lockfile
    ? `${install.manager} with ${install.lockfile}`
    : `${install.manager}, no lockfile`;
  return [`# Generated by Pylon for ${framework}: ${reason}.`, `# Dependencies: ${lock}.`];
}

function plan(
  framework: GeneratedPlan["framework"],
  reason: string,
  port: number,
  lines: string[],
): GeneratedPlan {
  return {
    strategy: "generated",
    framework,
    reason,
    port,
    dockerfile: `${lines.join("\n")}\n`,
    dockerignore: DEFAULT_DOCKERIGNORE,
  };
}

/** Next.js: build, then run the standalone server when configured, else `next start`. */
export async function nextPlan(files: RepoFiles, pkg: PackageJson, reason: string): Promise<GeneratedPlan> {
  const install = await nodeInstall(files, pkg);
  const list = await files.list();
  const config = list.find((f) => /^next\.config\.(js|mjs|cjs|ts)$/.test(f));
  const standalone = config
    ? /output\s*:\s*["'`]standalone["'`]/.test((await files.read(config)) ?? "")
    : false;
  const build = pkg.scripts.build ? install.runBuild : "node_modules/.bin/next build";
  const lines = [...header("Next.js", reason, install), "ENV NEXT_TELEMETRY_DISABLED=1"];
  lines.push(...buildStage(install, build));
  if (!standalone && install.prune) lines.push(`RUN ${install.prune}`);
  lines.push("", `FROM ${BASE_IMAGES.node}`, "WORKDIR /app");
  lines.push("ENV NODE_ENV=production NEXT_TELEMETRY_DISABLED=1 PORT=3000 HOSTNAME=0.0.0.0");
  if (standalone) {
    if (list.some((f) => f.startsWith("public/")))
      lines.push("COPY --from=build --chown=node:node /app/public ./public");
    lines.push("COPY --from=build --chown=node:node /app/.next/standalone ./");
    lines.push("COPY --from=build --chown=node:node /app/.next/static ./.next/static");
    lines.push("USER node", "EXPOSE 3000", 'CMD ["node", "server.js"]');
  } else {
    lines.push("COPY --from=build --chown=node:node /app ./");
    lines.push("USER node", "EXPOSE 3000");
    lines.push('CMD ["node_modules/.bin/next", "start", "--hostname", "0.0.0.0", "--port", "3000"]');
  }
  return plan("nextjs", reason + (standalone ? " (output: standalone)" : ""), 3000, lines);
}

const SPA_NGINX_CONF = [
  "server {",
  `    listen ${STATIC_SERVER_PORT};`,
  "    server_name _;",
  "    root /usr/share/nginx/html;",
  "    index index.html;",
  "    location / { try_files $uri $uri/ /index.html; }",
  "}",
];

/** Vite or Create React App: build in Node, serve the output with a small non-root static server. */
export async function spaPlan(
  files: RepoFiles,
  pkg: PackageJson,
  framework: "vite" | "create-react-app",
  reason: string,
): Promise<GeneratedPlan> {
  const install = await nodeInstall(files, pkg);
  let outDir = "build";
  if (framework === "vite") {
    const config = (await files.list()).find((f) => /^vite\.config\.(js|mjs|cjs|ts|mts)$/.test(f));
    const text = config ? ((await files.read(config)) ?? "") : "";
    outDir =
      /outDir\s*:\s*["'`]([\w./-]+)["'`]/.exec(text)?.[1]?.replace(/^\.\//, "").replace(/\/$/, "") ?? "dist";
  }
  if (!pkg.scripts.build && framework !== "vite") {
    throw new BuildDetectionError(`found ${framework} but package.json has no "build" script`);
  }
  const build = pkg.scripts.build ? install.runBuild : "node_modules/.bin/vite build";
  const lines = [...header(framework === "vite" ? "Vite" : "Create React App", reason, install)];
  lines.push(...buildStage(install, build));
  lines.push("", `FROM ${BASE_IMAGES.staticServer}`);
  // Unknown paths fall back to index.html so client-side routes survive a reload.
  lines.push(
    "USER root",
    `RUN ${shellJoin(["printf", "%s\\n", ...SPA_NGINX_CONF])} > /etc/nginx/conf.d/default.conf`,
  );
  lines.push("USER nginx", `COPY --from=build --chown=nginx:nginx /app/${outDir} /usr/share/nginx/html`);
  lines.push(`EXPOSE ${STATIC_SERVER_PORT}`);
  return plan(framework, `${reason}; serving ${outDir}/`, STATIC_SERVER_PORT, lines);
}

const PORT_HINTS = [
  /\.listen\(\s*(\d{2,5})\b/,
  /PORT\s*(?:\|\||\?\?)\s*["']?(\d{2,5})\b/,
  /port\s*[:=]\s*(\d{2,5})\b/i,
];

/** Node with a start script: install, build when there is a build script, run `npm start`. */
export async function nodeStartPlan(
  files: RepoFiles,
  pkg: PackageJson,
  reason: string,
): Promise<GeneratedPlan> {
  const install = await nodeInstall(files, pkg);
  const start = pkg.scripts.start ?? "";
  const entry = /(?:^|\s)([\w./-]+\.(?:m?js|cjs|ts|mts))(?:\s|$)/.exec(start)?.[1] ?? pkg.main ?? "index.js";
  const source = (await files.read(entry.replace(/^\.\//, ""))) ?? "";
  const found = PORT_HINTS.map((re) => re.exec(source)?.[1]).find((p) => p !== undefined);
  const port = found ? Number(found) : 3000;
  const lines = [...header("Node.js", reason, install)];
  lines.push(...buildStage(install, pkg.scripts.build ? install.runBuild : null));
  if (install.prune) lines.push(`RUN ${install.prune}`);
  lines.push("", `FROM ${BASE_IMAGES.node}`, "WORKDIR /app", `ENV NODE_ENV=production PORT=${port}`);
  lines.push("COPY --from=build --chown=node:node /app ./", "USER node", `EXPOSE ${port}`);
  // npm is in every node image; `npm start` runs the same script whichever manager installed.
  lines.push('CMD ["npm", "start"]');
  const portReason = found
    ? `port ${port} from ${entry}`
    : `port ${port} (PORT is set; no port found in ${entry})`;
  return plan("node", `${reason}; ${portReason}`, port, lines);
}
