// The dashboard and the API docs in Chromium under the server's Content-Security-Policy: every
// screen renders and nothing the built UI or Swagger UI does is refused by the policy.
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningServer, scratchDir, startServer } from "../support/server.ts";
import { reportServerErrors, signIn } from "./support/app.ts";
import { launchBrowser, newContext } from "./support/browser.ts";

const ADMIN = { PYLON_ADMIN_EMAIL: "admin@example.com", PYLON_ADMIN_PASSWORD: "admin password 123" };

let server: RunningServer;
let browser: Browser;
let cleanup: () => void;
const contexts: BrowserContext[] = [];

beforeAll(async () => {
  const scratch = scratchDir();
  cleanup = scratch.cleanup;
  [server, browser] = await Promise.all([startServer(scratch.dir, ADMIN), launchBrowser()]);
});

afterAll(async () => {
  reportServerErrors(server);
  for (const c of contexts) await c.close().catch(() => {});
  await browser?.close();
  await server?.stop();
  cleanup?.();
});

/**
 * A page that records every CSP violation: the page's own `securitypolicyviolation` events
 * (listened for by an init script, which the policy does not govern) and Chromium's console
 * reports of refused resources.
 */
async function watchedPage(): Promise<{ page: Page; violations: () => Promise<string[]> }> {
  const ctx = await newContext(browser, server.url);
  ctx.setDefaultTimeout(15_000);
  contexts.push(ctx);
  await ctx.addInitScript(() => {
    const seen: string[] = [];
    Object.defineProperty(window, "__cspViolations", { value: seen });
    document.addEventListener("securitypolicyviolation", (e) =>
      seen.push(`${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber}`),
    );
  });
  const page = await ctx.newPage();
  const console: string[] = [];
  page.on("console", (m) => {
    if (/Content Security Policy|Refused to/i.test(m.text())) console.push(m.text());
  });
  const violations = async () => {
    const inPage = await page
      .evaluate(() => (window as unknown as { __cspViolations: string[] }).__cspViolations)
      .catch(() => []);
    return [...inPage, ...console];
  };
  return { page, violations };
}

describe("the dashboard under its Content-Security-Policy", () => {
  it("serves a policy with no inline script, and the built index.html has none", async () => {
    const res = await fetch(`${server.url}/`);
    const csp = res.headers.get("content-security-policy") ?? "";
    expect(csp).toMatch(/script-src 'self'(;|$)/);
    expect(csp).toContain("frame-ancestors 'none'");
    const html = await res.text();
    // Every <script> has a src: none carries code of its own.
    const scripts = [...html.matchAll(/<script\b([^>]*)>([\s\S]*?)<\/script>/g)];
    expect(scripts.length).toBeGreaterThan(0);
    for (const [, attrs, body] of scripts) {
      expect(attrs).toMatch(/\bsrc=/);
      expect(body!.trim()).toBe("");
    }
  });

  it("renders sign-in and every screen without a violation, and the stored theme still applies first", async () => {
    const { page, violations } = await watchedPage();
    await page.goto("/");
    await page.evaluate(() => localStorage.setItem("pylon-theme", "dark"));
    await page.goto("/");
    await page.getByRole("heading", { name: "Sign in to Pylon" }).waitFor();
    expect(await page.evaluate(() => document.documentElement.dataset.theme)).toBe("dark");
    await signIn(page, ADMIN.PYLON_ADMIN_EMAIL, ADMIN.PYLON_ADMIN_PASSWORD);
    for (const path of [
      "/",
      "/apps",
      "/apps/new",
      "/catalog",
      "/nodes",
      "/jobs",
      "/account",
      "/tokens",
      "/admin/users",
      "/admin/audit",
      "/admin/settings",
    ]) {
      await page.goto(path);
      await page.getByRole("banner").waitFor();
      await page.waitForLoadState("networkidle");
    }
    expect(await violations()).toEqual([]);
  });

  it("renders the API docs (Swagger UI) and an expanded operation without a violation", async () => {
    const { page, violations } = await watchedPage();
    await page.goto("/api/docs");
    const operation = page.locator(".opblock-summary").first();
    await operation.waitFor();
    await operation.click();
    await page.locator(".opblock-body").first().waitFor();
    await page.waitForLoadState("networkidle");
    expect(await page.locator(".opblock").count()).toBeGreaterThan(20);
    expect(await violations()).toEqual([]);
  });

  it("cannot be framed by another page", async () => {
    const res = await fetch(`${server.url}/apps`);
    expect(res.headers.get("x-frame-options")).toBe("DENY");
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");
  });
});
