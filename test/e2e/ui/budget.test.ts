// Budget from issue 6: the JavaScript a browser loads before the first screen is at most 60 KB
// gzipped. Builds the UI into a scratch directory (so it measures the sources as they are now),
// then adds up the entry script and every module it preloads.
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import { afterAll, expect, it } from "vitest";
import { ROOT, scratchDir } from "../support/server.ts";

const BUDGET_BYTES = 60 * 1024;
const scratch = scratchDir();
afterAll(() => scratch.cleanup());

/** Scripts loaded at start: the module entry and its modulepreload links (not lazy chunks). */
function initialScripts(html: string): string[] {
  const srcs = [...html.matchAll(/<script[^>]*type="module"[^>]*src="([^"]+)"/g)].map((m) => m[1] ?? "");
  const preloads = [...html.matchAll(/<link[^>]*rel="modulepreload"[^>]*href="([^"]+)"/g)].map(
    (m) => m[1] ?? "",
  );
  return [...new Set([...srcs, ...preloads])].filter(Boolean);
}

it("initial JavaScript is at most 60 KB gzipped", () => {
  const out = join(scratch.dir, "dist");
  execFileSync("pnpm", ["exec", "vite", "build", "--outDir", out, "--emptyOutDir", "--logLevel", "warn"], {
    cwd: join(ROOT, "packages/ui"),
    stdio: "pipe",
  });
  const html = readFileSync(join(out, "index.html"), "utf8");
  const scripts = initialScripts(html);
  expect(scripts.length).toBeGreaterThan(0);
  let total = 0;
  for (const src of scripts) total += gzipSync(readFileSync(join(out, src.replace(/^\//, "")))).length;
  console.log(`initial JavaScript: ${(total / 1024).toFixed(1)} KB gzipped in ${scripts.length} file(s)`);
  expect(total).toBeLessThanOrEqual(BUDGET_BYTES);
}, 120_000);
