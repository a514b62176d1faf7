// Bundles the Node entry into one ESM file, so the server starts without resolving hundreds of modules.
import { build } from "esbuild";

await build({
  entryPoints: ["src/runtime/node.ts"],
  outfile: "dist/node.mjs",
  bundle: true,
  platform: "node",
  format: "esm",
  target: "node20",
  sourcemap: true,
  // libSQL's native engine is loaded at run time from node_modules.
  external: ["@libsql/*", "libsql"],
  banner: {
    js: "import { createRequire as __cr } from 'node:module'; const require = __cr(import.meta.url);",
  },
  logLevel: "warning",
});
