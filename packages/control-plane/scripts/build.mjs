// Bundles the Node entry into one ESM file (plus lazily loaded chunks), so the server starts
// without resolving hundreds of modules.
import { build } from "esbuild";

await build({
  entryPoints: { node: "src/runtime/node.ts" },
  outdir: "dist",
  outExtension: { ".js": ".mjs" },
  // Code loaded on first use (the catalog) goes to its own chunk instead of the start-up path.
  splitting: true,
  chunkNames: "chunks/[name]-[hash]",
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
