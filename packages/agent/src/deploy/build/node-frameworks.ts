import type { PackageJson } from "./node-project.ts";
import type { RepoFiles } from "./repo-files.ts";
import { BuildDetectionError } from "./types.ts";

/** How a Node project runs once built. */
export type NodeApp =
  | {
      kind: "server";
      framework: string;
      name: string;
      reason: string;
      /** Runs the package's build script (or this command) in the build stage. */
      build: "script" | string | null;
      /** The start command as argv (exec form), or "script" for the package's start script. */
      start: string[] | "script";
      /** Where the start command reads its entry from, for finding the port in the code. */
      entry: string | null;
      /** Port the framework listens on when PORT does not say otherwise. */
      defaultPort: number;
      env: Record<string, string>;
      /** Next.js standalone output: only the traced server is copied. */
      standalone?: boolean;
    }
  | {
      kind: "static";
      framework: string;
      name: string;
      reason: string;
      build: "script" | string;
      outDir: string;
      /** Unknown paths fall back to index.html (client-side routing). */
      spa: boolean;
    };

const CONFIG_EXT = "(js|mjs|cjs|ts|mts|cts)";

/** The first config file named like `<base>.config.{js,ts,…}` at the root, and its text. */
async function configText(files: RepoFiles, base: string): Promise<{ file: string; text: string } | null> {
  const re = new RegExp(`^${base.replace(".", "\\.")}\\.config\\.${CONFIG_EXT}$`);
  const file = (await files.list()).find((f) => re.test(f));
  return file ? { file, text: (await files.read(file)) ?? "" } : null;
}

const has = (pkg: PackageJson, dep: string) => pkg.deps[dep] !== undefined;
const found = (dep: string) => `found ${dep} in package.json`;

/** Next.js: the standalone server when configured, else `next start`. */
async function next(files: RepoFiles, pkg: PackageJson): Promise<NodeApp> {
  const config = await configText(files, "next");
  const standalone = /output\s*:\s*["'`]standalone["'`]/.test(config?.text ?? "");
  const exported = /output\s*:\s*["'`]export["'`]/.test(config?.text ?? "");
  const reason = found("next");
  if (exported)
    return {
      kind: "static",
      framework: "nextjs",
      name: "Next.js",
      reason: `${reason} (output: export)`,
      build: buildOf(pkg, "next build"),
      outDir: "out",
      spa: false,
    };
  return {
    kind: "server",
    framework: "nextjs",
    name: "Next.js",
    reason: reason + (standalone ? " (output: standalone)" : ""),
    build: buildOf(pkg, "node_modules/.bin/next build"),
    start: standalone ? ["node", "server.js"] : ["node_modules/.bin/next", "start", "--hostname", "0.0.0.0"],
    entry: null,
    defaultPort: 3000,
    env: { NEXT_TELEMETRY_DISABLED: "1", HOSTNAME: "0.0.0.0" },
    standalone,
  };
}

function buildOf(pkg: PackageJson, fallback: string): "script" | string {
  return pkg.scripts.build ? "script" : fallback;
}

/** SvelteKit builds for the adapter in svelte.config; only adapter-node and adapter-static run here. */
async function svelteKit(files: RepoFiles, pkg: PackageJson): Promise<NodeApp> {
  const config = await configText(files, "svelte");
  const adapter = /["'](@sveltejs\/adapter-[\w-]+|svelte-adapter-[\w-]+)["']/.exec(config?.text ?? "")?.[1];
  const reason = `${found("@sveltejs/kit")}${adapter ? ` with ${adapter}` : ""}`;
  if (adapter === "@sveltejs/adapter-node") {
    const out = /out\s*:\s*["'`]([\w./-]+)["'`]/.exec(config?.text ?? "")?.[1] ?? "build";
    return {
      kind: "server",
      framework: "sveltekit",
      name: "SvelteKit",
      reason,
      build: buildOf(pkg, "node_modules/.bin/vite build"),
      start: ["node", out.replace(/^\.\//, "")],
      entry: null,
      defaultPort: 3000,
      env: {},
    };
  }
  if (adapter === "@sveltejs/adapter-static") {
    const out = /pages\s*:\s*["'`]([\w./-]+)["'`]/.exec(config?.text ?? "")?.[1] ?? "build";
    return {
      kind: "static",
      framework: "sveltekit",
      name: "SvelteKit",
      reason,
      build: buildOf(pkg, "node_modules/.bin/vite build"),
      outDir: out.replace(/^\.\//, ""),
      spa: /fallback\s*:/.test(config?.text ?? ""),
    };
  }
  throw new BuildDetectionError(
    `found a SvelteKit app ${adapter ? `using ${adapter}` : "without an adapter in svelte.config"}, which builds for ${adapter === "@sveltejs/adapter-auto" ? "the platform it detects (none here)" : "another platform"}; install @sveltejs/adapter-node and use it in svelte.config.js (or adapter-static for a static site), or add a Dockerfile`,
  );
}

/** Astro: static by default; a server build with @astrojs/node. */
async function astro(files: RepoFiles, pkg: PackageJson): Promise<NodeApp> {
  const config = await configText(files, "astro");
  const text = config?.text ?? "";
  const outDir = /outDir\s*:\s*["'`]([\w./-]+)["'`]/.exec(text)?.[1]?.replace(/^\.\//, "") ?? "dist";
  const server = /output\s*:\s*["'`](server|hybrid)["'`]/.test(text) || /@astrojs\/node/.test(text);
  if (server && !has(pkg, "@astrojs/node"))
    throw new BuildDetectionError(
      "found an Astro app with server output but without @astrojs/node; add the Node adapter (npx astro add node) or build it static",
    );
  if (server)
    return {
      kind: "server",
      framework: "astro",
      name: "Astro",
      reason: `${found("astro")} (server output, @astrojs/node)`,
      build: buildOf(pkg, "node_modules/.bin/astro build"),
      start: ["node", `${outDir}/server/entry.mjs`],
      entry: null,
      defaultPort: 4321,
      env: {},
    };
  return {
    kind: "static",
    framework: "astro",
    name: "Astro",
    reason: `${found("astro")} (static output)`,
    build: buildOf(pkg, "node_modules/.bin/astro build"),
    outDir,
    spa: false,
  };
}

/** Angular: the browser build from angular.json (application or browser builder). */
async function angular(files: RepoFiles, pkg: PackageJson): Promise<NodeApp> {
  let outDir = "dist";
  let project = "";
  try {
    const json = JSON.parse((await files.read("angular.json")) ?? "{}") as {
      projects?: Record<
        string,
        { architect?: { build?: { builder?: string; options?: { outputPath?: unknown } } } }
      >;
    };
    const [name, p] = Object.entries(json.projects ?? {})[0] ?? [];
    project = name ?? "";
    const build = p?.architect?.build;
    const out = build?.options?.outputPath;
    const base =
      typeof out === "string"
        ? out
        : typeof out === "object" && out !== null
          ? String((out as { base?: unknown }).base ?? `dist/${project}`)
          : `dist/${project}`;
    outDir = /:application$/.test(build?.builder ?? "") ? `${base}/browser` : base;
  } catch {
    throw new BuildDetectionError("angular.json is not valid JSON");
  }
  if (has(pkg, "@angular/ssr") && pkg.scripts[`serve:ssr:${project}`])
    return {
      kind: "server",
      framework: "angular",
      name: "Angular (SSR)",
      reason: `${found("@angular/ssr")}`,
      build: buildOf(pkg, "node_modules/.bin/ng build"),
      start: ["node", `${outDir.replace(/\/browser$/, "")}/server/server.mjs`],
      entry: null,
      defaultPort: 4000,
      env: {},
    };
  return {
    kind: "static",
    framework: "angular",
    name: "Angular",
    reason: found("@angular/core"),
    build: buildOf(pkg, "node_modules/.bin/ng build"),
    outDir: outDir.replace(/^\.\//, ""),
    spa: true,
  };
}

/** Vite SPA: the configured outDir, else dist/. */
async function vite(files: RepoFiles, pkg: PackageJson): Promise<NodeApp> {
  const config = await configText(files, "vite");
  const outDir =
    /outDir\s*:\s*["'`]([\w./-]+)["'`]/
      .exec(config?.text ?? "")?.[1]
      ?.replace(/^\.\//, "")
      .replace(/\/$/, "") ?? "dist";
  return {
    kind: "static",
    framework: "vite",
    name: "Vite",
    reason: found("vite"),
    build: buildOf(pkg, "node_modules/.bin/vite build"),
    outDir,
    spa: true,
  };
}

/** Static site generators and SPA toolchains with a fixed output folder. */
const STATIC_TOOLS: {
  dep: string;
  framework: string;
  name: string;
  outDir: string;
  build: string;
  spa: boolean;
}[] = [
  {
    dep: "@docusaurus/core",
    framework: "docusaurus",
    name: "Docusaurus",
    outDir: "build",
    build: "node_modules/.bin/docusaurus build",
    spa: false,
  },
  {
    dep: "@11ty/eleventy",
    framework: "eleventy",
    name: "Eleventy",
    outDir: "_site",
    build: "node_modules/.bin/eleventy",
    spa: false,
  },
  {
    dep: "gatsby",
    framework: "gatsby",
    name: "Gatsby",
    outDir: "public",
    build: "node_modules/.bin/gatsby build",
    spa: false,
  },
  {
    dep: "@vue/cli-service",
    framework: "vue",
    name: "Vue CLI",
    outDir: "dist",
    build: "node_modules/.bin/vue-cli-service build",
    spa: true,
  },
  {
    dep: "react-scripts",
    framework: "create-react-app",
    name: "Create React App",
    outDir: "build",
    build: "node_modules/.bin/react-scripts build",
    spa: true,
  },
];

/** Node servers named by their main dependency (the start script runs them). */
const SERVERS: [dep: string, framework: string, name: string][] = [
  ["@nestjs/core", "nestjs", "NestJS"],
  ["express", "express", "Express"],
  ["fastify", "fastify", "Fastify"],
  ["koa", "koa", "Koa"],
  ["hono", "hono", "Hono"],
  ["@hapi/hapi", "hapi", "hapi"],
];

/** A JavaScript file a start script or main runs (`node server.js`, `tsx src/index.ts`). */
function entryOf(pkg: PackageJson, start: string | undefined): string | null {
  const fromStart = start
    ? /(?:^|\s)(\.?\/?[\w./-]+\.(?:m?js|cjs|ts|mts))(?:\s|$)/.exec(start)?.[1]
    : undefined;
  return (fromStart ?? pkg.main ?? null)?.replace(/^\.\//, "") ?? null;
}

/** Node servers: a start script, NestJS's start:prod, or a main file. */
async function server(files: RepoFiles, pkg: PackageJson): Promise<NodeApp | undefined> {
  const [, framework, name] = SERVERS.find(([dep]) => has(pkg, dep)) ?? [null, "node", "Node.js"];
  const list = new Set(await files.list());
  const build: NodeApp["build"] = pkg.scripts.build ? "script" : null;
  const env: Record<string, string> = {};
  // fastify-cli listens on localhost unless FASTIFY_ADDRESS says otherwise.
  if (/\bfastify start\b/.test(pkg.scripts.start ?? "")) env.FASTIFY_ADDRESS = "0.0.0.0";
  if (framework === "nestjs" && pkg.scripts["start:prod"]) {
    return {
      kind: "server",
      framework,
      name,
      reason: `${found("@nestjs/core")}; runs the start:prod script`,
      build,
      start: ["npm", "run", "start:prod"],
      entry: "src/main.ts",
      defaultPort: 3000,
      env,
    };
  }
  if (pkg.scripts.start) {
    return {
      kind: "server",
      framework,
      name,
      reason:
        framework === "node"
          ? 'found a "start" script in package.json'
          : `${found(SERVERS.find(([, f]) => f === framework)![0])}; runs the "start" script`,
      build,
      start: "script",
      entry: entryOf(pkg, pkg.scripts.start),
      defaultPort: 3000,
      env,
    };
  }
  const main =
    entryOf(pkg, undefined) ?? ["server.js", "index.js", "app.js"].find((f) => list.has(f)) ?? null;
  if (main && list.has(main) && /\.(m?js|cjs)$/.test(main)) {
    return {
      kind: "server",
      framework,
      name,
      reason: `found ${main} and no start script; runs node ${main}`,
      build,
      start: ["node", main],
      entry: main,
      defaultPort: 3000,
      env,
    };
  }
  return undefined;
}

/**
 * What a Node project is, from its dependencies and config files, most specific first: the
 * meta-frameworks (which also depend on vite or react), static site tools, then servers.
 */
export async function nodeApp(files: RepoFiles, pkg: PackageJson): Promise<NodeApp | undefined> {
  if (has(pkg, "next")) return next(files, pkg);
  if (has(pkg, "nuxt"))
    return {
      kind: "server",
      framework: "nuxt",
      name: "Nuxt",
      reason: found("nuxt"),
      build: buildOf(pkg, "node_modules/.bin/nuxt build"),
      start: ["node", ".output/server/index.mjs"],
      entry: null,
      defaultPort: 3000,
      env: {},
    };
  if (has(pkg, "@sveltejs/kit")) return svelteKit(files, pkg);
  if (has(pkg, "@react-router/dev"))
    return {
      kind: "server",
      framework: "react-router",
      name: "React Router",
      reason: found("@react-router/dev"),
      build: buildOf(pkg, "node_modules/.bin/react-router build"),
      start: pkg.scripts.start
        ? "script"
        : ["node_modules/.bin/react-router-serve", "./build/server/index.js"],
      entry: null,
      defaultPort: 3000,
      env: {},
    };
  if (has(pkg, "@remix-run/dev") || has(pkg, "@remix-run/serve"))
    return {
      kind: "server",
      framework: "remix",
      name: "Remix",
      reason: found("@remix-run/dev"),
      build: buildOf(pkg, "node_modules/.bin/remix build"),
      start: pkg.scripts.start ? "script" : ["node_modules/.bin/remix-serve", "./build/index.js"],
      entry: null,
      defaultPort: 3000,
      env: {},
    };
  if (has(pkg, "astro")) return astro(files, pkg);
  if (has(pkg, "@angular/core") && (await files.read("angular.json")) !== undefined)
    return angular(files, pkg);
  for (const tool of STATIC_TOOLS) {
    if (has(pkg, tool.dep))
      return {
        kind: "static",
        framework: tool.framework,
        name: tool.name,
        reason: found(tool.dep),
        build: buildOf(pkg, tool.build),
        outDir: tool.outDir,
        spa: tool.spa,
      };
  }
  // A Vite front end beside a server (`vite build` + `node server.js`) is a server.
  if (has(pkg, "vite") && !(pkg.scripts.start && !/\bvite\b/.test(pkg.scripts.start)))
    return vite(files, pkg);
  return server(files, pkg);
}
