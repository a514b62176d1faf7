// What every screen must be, checked in the browser: no console error, no failed same-origin
// request, no broken image, no sideways scrolling, not blank, and (axe-core) no serious or
// critical accessibility violation.
import { readFileSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import type { Page } from "playwright-core";
import { ROOT } from "../../support/server.ts";

const axeSource = readFileSync(
  createRequire(join(ROOT, "package.json")).resolve("axe-core/axe.min.js"),
  "utf8",
);

/** Problems seen on a page since the last `take()`: console errors and failed requests. */
export function watchPage(page: Page, origin: string): { take: () => string[] } {
  let problems: string[] = [];
  page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
  page.on("console", (m) => {
    if (m.type() === "error") problems.push(`console: ${m.text()} (${m.location().url})`);
  });
  page.on("response", (r) => {
    if (r.url().startsWith(origin) && r.status() >= 400) problems.push(`${r.status()} ${r.url()}`);
  });
  page.on("requestfailed", (r) => {
    // A stream the page closes on leaving (the followed logs) is aborted by design.
    const why = r.failure()?.errorText ?? "";
    if (r.url().startsWith(origin) && !why.includes("ERR_ABORTED"))
      problems.push(`failed: ${r.url()} ${why}`);
  });
  return {
    take: () => {
      const p = problems;
      problems = [];
      return p;
    },
  };
}

/** Layout problems of the page as shown: blank, wider than the window, broken images. */
export function layoutProblems(page: Page): Promise<string[]> {
  return page.evaluate(() => {
    const out: string[] = [];
    const doc = document.documentElement;
    if (doc.scrollWidth > doc.clientWidth + 1)
      out.push(`scrolls sideways: ${doc.scrollWidth}px wide in a ${doc.clientWidth}px window`);
    // biome-ignore lint/performance/useDomNodeTextContent: what is rendered, not what is in the DOM, tells a blank screen.
    if ((document.body.innerText ?? "").trim().length < 40) out.push("blank screen");
    for (const img of document.images)
      if (!img.complete || img.naturalWidth === 0) out.push(`broken image: ${img.src.slice(0, 80)}`);
    return out;
  });
}

/** axe-core's serious and critical violations on the page (evaluated, so no CSP gets in the way). */
export async function axeProblems(page: Page): Promise<string[]> {
  await page.evaluate(axeSource);
  return page.evaluate(async () => {
    const axe = (window as unknown as { axe: { run: (ctx: Document, o: object) => Promise<AxeResult> } }).axe;
    type AxeResult = {
      violations: { id: string; impact: string; help: string; nodes: { target: string[] }[] }[];
    };
    const r = await axe.run(document, { resultTypes: ["violations"] });
    return r.violations
      .filter((v) => v.impact === "serious" || v.impact === "critical")
      .map(
        (v) =>
          `${v.impact} ${v.id}: ${v.help} at ${v.nodes
            .map((n) => n.target.join(" "))
            .slice(0, 4)
            .join(", ")}`,
      );
  });
}
