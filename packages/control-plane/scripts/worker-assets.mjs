// The Worker's static assets (wrangler.toml [assets]): the built dashboard, plus the agent's
// installer and bundle under /_pylon/, which the Worker reads through its ASSETS binding to serve
// /install/agent.sh, /install/agent.mjs and /install/agent.json (runtime/worker-files.ts).
// Run after building the UI and the agent: `node scripts/worker-assets.mjs`.
import { cpSync, existsSync, mkdirSync, rmSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const packages = join(here, "../..");
const out = join(here, "../dist/worker-assets");
const needed = {
  ui: join(packages, "ui/dist/index.html"),
  agent: join(packages, "agent/dist/agent.mjs"),
};
for (const [what, file] of Object.entries(needed)) {
  if (!existsSync(file)) {
    process.stderr.write(`worker-assets: ${file} is missing: build the ${what} first (pnpm build)\n`);
    process.exit(1);
  }
}
rmSync(out, { recursive: true, force: true });
cpSync(join(packages, "ui/dist"), out, { recursive: true });
mkdirSync(join(out, "_pylon"), { recursive: true });
for (const f of ["agent.mjs", "agent.json"]) cpSync(join(packages, "agent/dist", f), join(out, "_pylon", f));
cpSync(join(packages, "agent/src/install/agent.sh"), join(out, "_pylon/agent.sh"));
