// Bundles the agent into ONE self-contained ESM file (dist/agent.mjs) that runs on Debian's
// own nodejs (18 on PVE 8, 20 on PVE 9): no npm, no node_modules and no native parts on the host.
// Minified because the agent's memory budget is tight (issue #4: within 1.2× of a bare ws
// client): V8 keeps the source text and compiles what it parses; dist/agent.mjs.map (not
// shipped) maps stack traces back.
import { createHash } from "node:crypto";
import { readFile, writeFile } from "node:fs/promises";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const root = fileURLToPath(new URL("..", import.meta.url));
// Tests build into their own folder (`--outfile PATH`) so parallel test files never read a half-written bundle.
const at = process.argv.indexOf("--outfile");
const outfile = at > 0 ? process.argv[at + 1] : "dist/agent.mjs";
// Tests of the self-update build the same agent under another version (`--version 0.1.1`).
const v = process.argv.indexOf("--version");
const versionOverride = v > 0 ? process.argv[v + 1] : undefined;
const versionPlugin = {
  name: "version-override",
  setup(b) {
    if (!versionOverride) return;
    b.onLoad({ filter: /[\\/]src[\\/]version\.ts$/ }, () => ({
      contents: `export const AGENT_VERSION = ${JSON.stringify(versionOverride)};`,
      loader: "ts",
    }));
  },
};

/** zod bundles error messages in ~40 languages behind `z.locales`; the agent logs in English. */
const zodEnglishOnly = {
  name: "zod-english-only",
  setup(b) {
    b.onResolve({ filter: /^\.\.\/locales\/index\.js$/ }, (args) =>
      /[\\/]zod[\\/]/.test(args.importer)
        ? { path: join(dirname(args.importer), "../locales/en.js"), namespace: "zod-locales" }
        : undefined,
    );
    b.onLoad({ filter: /.*/, namespace: "zod-locales" }, (args) => ({
      contents: `export { default as en } from ${JSON.stringify(args.path)};`,
      loader: "js",
      resolveDir: dirname(args.path),
    }));
  },
};

await build({
  absWorkingDir: root,
  entryPoints: ["src/main.ts"],
  outfile,
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node18",
  minify: true,
  sourcemap: "external",
  legalComments: "eof",
  // Optional native helpers, each loaded in a try/catch with a pure-JS fallback: ws's bufferutil
  // and utf-8-validate, ssh2's cpu-features and its sshcrypto.node binding. The host has none.
  external: ["bufferutil", "utf-8-validate", "cpu-features", "*.node"],
  alias: { undici: "./scripts/undici-stub.mjs" },
  plugins: [zodEnglishOnly, versionPlugin],
  // CommonJS dependencies (ws, ssh2) call require() for Node built-ins; give the ESM bundle a real one.
  banner: {
    js: [
      "#!/usr/bin/env node",
      "import { createRequire as __pylonCreateRequire } from 'node:module';",
      "import { fileURLToPath as __pylonFileUrlToPath } from 'node:url';",
      "const require = __pylonCreateRequire(import.meta.url);",
      // ssh2 (CommonJS) reads __dirname when it looks for its optional native binding.
      "const __filename = __pylonFileUrlToPath(import.meta.url); const __dirname = __filename.replace(/[\\/][^\\/]*$/, '');",
    ].join("\n"),
  },
  logLevel: "warning",
});

// The manifest the control plane serves at /install/agent.json (it checks the SHA-256 again
// against the bytes it serves): what the installer and self-updating agents verify.
const bundle = await readFile(resolve(root, outfile));
const version =
  versionOverride ??
  /AGENT_VERSION = "([^"]+)"/.exec(await readFile(join(root, "src/version.ts"), "utf8"))?.[1];
if (!version) throw new Error("cannot read AGENT_VERSION from src/version.ts");
await writeFile(
  resolve(root, outfile.replace(/\.mjs$/, ".json")),
  `${JSON.stringify({ version, sha256: createHash("sha256").update(bundle).digest("hex"), size: bundle.length })}\n`,
);
