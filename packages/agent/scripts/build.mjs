// Bundles the agent into ONE self-contained ESM file (dist/agent.mjs) that runs on Debian's
// own nodejs (18 on PVE 8, 20 on PVE 9): no npm, no node_modules and no native parts on the host.
import { fileURLToPath } from "node:url";
import { build } from "esbuild";

const root = fileURLToPath(new URL("..", import.meta.url));

await build({
  absWorkingDir: root,
  entryPoints: ["src/main.ts"],
  outfile: "dist/agent.mjs",
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node18",
  minifySyntax: true,
  legalComments: "eof",
  // ws loads these optional native helpers in a try/catch; the host has none, ws falls back to JS.
  external: ["bufferutil", "utf-8-validate"],
  alias: { undici: "./scripts/undici-stub.mjs" },
  // CommonJS dependencies (ws) call require() for Node built-ins; give the ESM bundle a real one.
  banner: {
    js: "#!/usr/bin/env node\nimport { createRequire as __pylonCreateRequire } from 'node:module'; const require = __pylonCreateRequire(import.meta.url);",
  },
  logLevel: "warning",
});
