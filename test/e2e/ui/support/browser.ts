// Debian's Chromium driven by playwright-core (never `playwright install`); flags per STACK.md.
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { type Browser, type BrowserContext, chromium, type Page } from "playwright-core";
import { ROOT } from "../../support/server.ts";

export const SCREENSHOTS = join(ROOT, "test-results", "screenshots");

const ARGS = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-dev-shm-usage",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
];

/**
 * Starts headless Chromium. playwright gives each launch a fresh --user-data-dir in a temp dir
 * (and refuses one in `args`), so no profile leaks between runs.
 */
export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: process.env.PYLON_CHROMIUM ?? "/usr/bin/chromium",
    headless: true,
    args: ARGS,
  });
}

export type Theme = "light" | "dark";

/** A fresh browser context (own cookies and storage) at desktop or phone size. */
export function newContext(
  browser: Browser,
  baseURL: string,
  opts: { theme?: Theme; phone?: boolean } = {},
): Promise<BrowserContext> {
  return browser.newContext({
    baseURL,
    colorScheme: opts.theme ?? "light",
    viewport: opts.phone ? { width: 375, height: 740 } : { width: 1280, height: 820 },
    deviceScaleFactor: 1,
  });
}

/** Saves a screenshot (the whole page unless `fullPage` is false) as test-results/screenshots/<name>.png. */
export async function shot(page: Page, name: string, opts: { fullPage?: boolean } = {}): Promise<void> {
  mkdirSync(SCREENSHOTS, { recursive: true });
  await page.screenshot({ path: join(SCREENSHOTS, `${name}.png`), fullPage: opts.fullPage ?? true });
}

/** Collects uncaught page errors and console errors, so a test can assert there were none. */
export function watchErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on("pageerror", (e) => errors.push(`pageerror: ${e.message}`));
  page.on("console", (m) => {
    // 4xx answers the UI handles (wrong password, 401 on start) are logged by Chromium as
    // resource errors; they are expected, so only script errors count.
    if (m.type() === "error" && !/Failed to load resource/.test(m.text()))
      errors.push(`console: ${m.text()}`);
  });
  return errors;
}
