import { shellJoin } from "@pylon/shared/shell/quote";
import semver from "semver";
import type { RepoFiles } from "./repo-files.ts";
import { BuildDetectionError } from "./types.ts";
import { nodeRange, type VersionAsk } from "./versions.ts";

/** The parts of package.json detection reads. */
export interface PackageJson {
  name?: string;
  main?: string;
  type?: string;
  packageManager?: string;
  workspaces?: unknown;
  engines: Record<string, string>;
  volta: Record<string, string>;
  scripts: Record<string, string>;
  deps: Record<string, string>;
  /** Packages only in devDependencies (pruned from the image unless the start command needs them). */
  devOnly: string[];
}

const strings = (v: unknown): Record<string, string> =>
  typeof v === "object" && v !== null
    ? Object.fromEntries(Object.entries(v).filter((e): e is [string, string] => typeof e[1] === "string"))
    : {};

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
  const str = (v: unknown) => (typeof v === "string" ? v : undefined);
  return {
    name: str(obj.name),
    main: str(obj.main),
    type: str(obj.type),
    packageManager: str(obj.packageManager),
    workspaces: obj.workspaces,
    engines: strings(obj.engines),
    volta: strings(obj.volta),
    scripts: strings(obj.scripts),
    deps: { ...strings(obj.devDependencies), ...strings(obj.dependencies) },
    devOnly: Object.keys(strings(obj.devDependencies)).filter((d) => !(d in strings(obj.dependencies))),
  };
}

export type NodeManager = "npm" | "pnpm" | "yarn" | "yarn-berry" | "bun";

/** How dependencies are installed, as Dockerfile lines and as the commands shown to the user. */
export interface NodeInstall {
  manager: NodeManager;
  /** The manager's version when packageManager or the lockfile says. */
  version: string | null;
  lockfile: string | null;
  /** Files copied before installing, for layer caching; null means the whole context. */
  manifests: string[] | null;
  /** RUN lines that make the manager available (in every stage that runs it). */
  setup: string[];
  install: string;
  prune: string | null;
  /** `<manager> run <script>`. */
  run: (script: string) => string;
}

const MANIFEST_EXTRAS = [
  ".npmrc",
  ".yarnrc",
  ".yarnrc.yml",
  "pnpm-workspace.yaml",
  ".pnpmfile.cjs",
  "bunfig.toml",
];

/** Chooses the package manager from packageManager and the lockfile present, with its install commands. */
export async function nodeInstall(files: RepoFiles, pkg: PackageJson): Promise<NodeInstall> {
  const list = new Set(await files.list());
  const pm = /^(npm|pnpm|yarn|bun)@(\d+(?:\.\d+){0,2}[\w.+-]*)/.exec(pkg.packageManager ?? "");
  // Patches, workspaces and Yarn's own release files must be present before install: copy all.
  const needsWholeContext =
    pkg.workspaces !== undefined ||
    [...list].some(
      (f) => f.startsWith("patches/") || f.startsWith(".yarn/") || /^[^/]+\/.*package\.json$/.test(f),
    );
  const manifests = (lockfile: string | null) =>
    needsWholeContext
      ? null
      : ["package.json", ...(lockfile ? [lockfile] : []), ...MANIFEST_EXTRAS.filter((f) => list.has(f))];

  const bunLock = ["bun.lock", "bun.lockb"].find((f) => list.has(f));
  if (bunLock || pm?.[1] === "bun") {
    const version = pm?.[1] === "bun" ? pm[2]! : "1";
    return {
      manager: "bun",
      version,
      lockfile: bunLock ?? null,
      manifests: manifests(bunLock ?? null),
      setup: [shellJoin(["npm", "install", "--global", `bun@${version}`])],
      install: bunLock ? "bun install --frozen-lockfile" : "bun install",
      prune: null,
      run: (s) => shellJoin(["bun", "run", s]),
    };
  }
  if (list.has("pnpm-lock.yaml") || pm?.[1] === "pnpm") {
    const lock = (await files.read("pnpm-lock.yaml")) ?? "";
    const lockMajor = Number(/^lockfileVersion:\s*'?(\d+)/m.exec(lock)?.[1] ?? "9");
    // lockfile v9 is pnpm 9 and 10, v6 is pnpm 8, v5 is pnpm 7.
    const version = pm?.[1] === "pnpm" ? pm[2]! : lockMajor >= 9 ? "10" : lockMajor >= 6 ? "8" : "7";
    const hasLock = list.has("pnpm-lock.yaml");
    return {
      manager: "pnpm",
      version,
      lockfile: hasLock ? "pnpm-lock.yaml" : null,
      manifests: manifests(hasLock ? "pnpm-lock.yaml" : null),
      setup: [shellJoin(["npm", "install", "--global", `pnpm@${version}`])],
      install: hasLock ? "pnpm install --frozen-lockfile" : "pnpm install",
      prune: "pnpm prune --prod",
      run: (s) => shellJoin(["pnpm", "run", s]),
    };
  }
  if (list.has("yarn.lock") || pm?.[1] === "yarn") {
    const lock = (await files.read("yarn.lock")) ?? "";
    const berry = /^__metadata:/m.test(lock) || (pm?.[1] === "yarn" && Number(pm[2]!.split(".")[0]) >= 2);
    if (berry) {
      // Yarn 2+ comes from corepack (packageManager) or the release committed in .yarn/releases.
      const committed = [...list].some((f) => f.startsWith(".yarn/releases/"));
      return {
        manager: "yarn-berry",
        version: pm?.[1] === "yarn" ? pm[2]! : null,
        lockfile: list.has("yarn.lock") ? "yarn.lock" : null,
        manifests: null,
        setup: committed ? [] : ["corepack enable"],
        install: list.has("yarn.lock") ? "yarn install --immutable" : "yarn install",
        prune: null,
        run: (s) => shellJoin(["yarn", "run", s]),
      };
    }
    return {
      manager: "yarn",
      version: pm?.[1] === "yarn" ? pm[2]! : "1",
      lockfile: "yarn.lock",
      manifests: manifests("yarn.lock"),
      setup: [],
      install: "yarn install --frozen-lockfile",
      prune: "yarn install --production --frozen-lockfile --ignore-scripts --prefer-offline",
      run: (s) => shellJoin(["yarn", "run", s]),
    };
  }
  const npmLock = ["package-lock.json", "npm-shrinkwrap.json"].find((f) => list.has(f));
  return {
    manager: "npm",
    version: pm?.[1] === "npm" ? pm[2]! : null,
    lockfile: npmLock ?? null,
    manifests: manifests(npmLock ?? null),
    setup: pm?.[1] === "npm" ? [shellJoin(["npm", "install", "--global", `npm@${pm[2]}`])] : [],
    install: npmLock ? "npm ci" : "npm install",
    prune: "npm prune --omit=dev",
    run: (s) => shellJoin(["npm", "run", s]),
  };
}

/** Node versions a package manager release needs (pnpm 11 needs Node ≥ 22.13). */
const MANAGER_NEEDS: Record<string, Record<number, string>> = {
  pnpm: { 11: ">=22.13", 10: ">=18.12", 9: ">=18.12", 8: ">=16.14" },
  yarn: { 4: ">=18.12" },
};

/** Node versions a dependency's major release needs, where it is stricter than the LTS lines. */
const DEPENDENCY_NEEDS: Record<string, Record<number, string>> = {
  vite: { 8: "^20.19.0 || >=22.12.0", 7: "^20.19.0 || >=22.12.0", 6: "^18.0.0 || ^20.0.0 || >=22.0.0" },
  next: { 16: ">=20.9.0", 15: "^18.18.0 || ^19.8.0 || >=20.0.0" },
  astro: { 5: "^18.17.1 || ^20.3.0 || >=22.0.0" },
  "@angular/core": { 20: "^20.19.0 || ^22.12.0 || >=24.0.0", 19: "^18.19.1 || ^20.11.1 || >=22.0.0" },
};

function majorOf(spec: string): number | null {
  const v = semver.minVersion(spec.replace(/^(npm:|workspace:)/, ""), { loose: true });
  return v ? v.major : null;
}

/**
 * Where a repository says which Node it needs, in the order that wins: .nvmrc, .node-version,
 * .tool-versions, package.json engines and volta, then what the package manager and key
 * dependencies require.
 */
export async function nodeVersionAsks(
  files: RepoFiles,
  pkg: PackageJson,
  install: NodeInstall,
): Promise<VersionAsk[]> {
  const asks: VersionAsk[] = [];
  const add = (text: string | undefined, from: string) => {
    const range = text ? nodeRange(text) : null;
    if (range) asks.push({ range, from });
  };
  add((await files.read(".nvmrc"))?.split("\n")[0], ".nvmrc");
  add((await files.read(".node-version"))?.split("\n")[0], ".node-version");
  const tools = (await files.read(".tool-versions")) ?? "";
  add(/^nodejs\s+(\S+)/m.exec(tools)?.[1], ".tool-versions");
  add(pkg.volta.node, "package.json volta.node");
  add(pkg.engines.node, "package.json engines.node");
  const manager = install.manager === "yarn-berry" ? "yarn" : install.manager;
  const managerMajor = install.version ? Number(install.version.split(".")[0]) : null;
  const needs = managerMajor !== null ? MANAGER_NEEDS[manager]?.[managerMajor] : undefined;
  if (needs) asks.push({ range: needs, from: `${manager} ${install.version}`, implied: true });
  for (const [dep, table] of Object.entries(DEPENDENCY_NEEDS)) {
    const spec = pkg.deps[dep];
    const major = spec ? majorOf(spec) : null;
    const need = major !== null ? table[major] : undefined;
    if (need) asks.push({ range: need, from: `${dep} ${major}`, implied: true });
  }
  return asks;
}
