// Apps in Chromium against the whole stack (built control plane, agent bundle, Proxmox
// simulator, real Caddy): browse the catalog, deploy nginx into an LXC through the wizard, watch
// the deploy log to its end, reach the app through Caddy by its name, stop and start it, resize
// it, and delete it through the confirmation dialog. Screenshots of each screen in both themes.
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { type AppStack, caddyInstalled, startAppStack } from "../support/app-stack.ts";
import { ADMIN } from "../support/stack.ts";
import { reportServerErrors, shotBothThemes, signIn } from "./support/app.ts";
import { launchBrowser, newContext, shot, watchErrors } from "./support/browser.ts";

let stack: AppStack;
let browser: Browser;
let ctx: BrowserContext;
let page: Page;
let errors: string[];
let appId = "";

const DEPLOY_MS = 60_000;

beforeAll(async () => {
  stack = await startAppStack();
  browser = await launchBrowser();
  ctx = await newContext(browser, stack.server.url);
  ctx.setDefaultTimeout(10_000);
  page = await ctx.newPage();
  errors = watchErrors(page);
  await page.goto("/");
  await signIn(page, ADMIN.PYLON_ADMIN_EMAIL, ADMIN.PYLON_ADMIN_PASSWORD);
}, 120_000);

// A failed step leaves a picture of what the page showed.
afterEach(async (ctx) => {
  if (ctx.task.result?.state === "fail" && page)
    await shot(page, `apps-failed-${ctx.task.name.slice(0, 40)}`);
});

afterAll(async () => {
  reportServerErrors(stack?.server);
  await ctx?.close().catch(() => {});
  await browser?.close();
  await stack?.stop();
});

const nav = (label: string) =>
  page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: label });
/** Waits for the app's status badge to read `s` (the page refreshes while the app is busy). */
const statusIs = (s: string, timeout = DEPLOY_MS) =>
  page
    .getByTestId("app-status")
    .filter({ hasText: new RegExp(`^\\s*${s}\\s*$`) })
    .first()
    .waitFor({ timeout });

describe.skipIf(!caddyInstalled())("apps", { timeout: 120_000 }, () => {
  it("browses the catalog: search, category, icons and descriptions", async () => {
    await nav("Catalog").click();
    await page.getByRole("heading", { name: "Catalog", level: 1 }).waitFor();
    const nginx = page.getByRole("listitem", { name: "nginx" });
    await nginx.waitFor();
    await nginx.getByText("A fast web server for static sites").waitFor();
    expect(await nginx.locator("img.app-icon").count()).toBe(1);
    await page.getByLabel("Search").fill("grafana");
    await page.getByRole("listitem", { name: "Grafana" }).waitFor();
    await nginx.waitFor({ state: "detached" });
    await page.getByLabel("Search").fill("");
    await page.getByLabel("Category").selectOption("web");
    await nginx.waitFor();
    expect(await page.getByRole("listitem", { name: "Grafana" }).count()).toBe(0);
    await shotBothThemes(page, "catalog", { fullPage: false });
  });

  it("deploys nginx into an LXC through the wizard and follows the deploy log to the end", async () => {
    await page.getByRole("link", { name: "Deploy nginx" }).click();
    await page.getByRole("heading", { name: "Deploy an app" }).waitFor();
    await page.getByText("This app has no settings to choose.").waitFor();
    expect(await page.getByLabel("App name").inputValue()).toBe("nginx");
    await page.getByLabel("App name").fill("web");
    await shotBothThemes(page, "wizard-source", { fullPage: false });
    await page.getByRole("button", { name: "Next" }).click();

    await page.getByRole("heading", { name: "Target" }).waitFor();
    await page
      .getByTestId("capacity")
      .getByText(/on local-lvm/)
      .waitFor();
    await page.getByLabel(/LXC container/).check();
    await shotBothThemes(page, "wizard-target", { fullPage: false });
    await page.getByRole("button", { name: "Next" }).click();
    await page.getByRole("heading", { name: "Domain" }).waitFor();
    await page.getByRole("button", { name: "Next" }).click();
    await page.getByRole("heading", { name: "Variables" }).waitFor();
    await page.getByRole("button", { name: "Add variable" }).click();
    await page.getByLabel("variable 1 name").fill("GREETING");
    await page.getByLabel("variable 1 value").fill("hello");
    await page.getByRole("button", { name: "Next" }).click();
    await page.getByRole("heading", { name: "Review" }).waitFor();
    await page.getByText("GREETING=hello").waitFor();
    await shotBothThemes(page, "wizard-review", { fullPage: false });
    await page.getByRole("button", { name: "Deploy" }).click();

    // The app page, with the deploy job live: steps tick off and log lines arrive.
    await page.getByRole("heading", { name: "web", level: 1 }).waitFor();
    appId = new URL(page.url()).pathname.split("/").at(-1) ?? "";
    expect(appId).toMatch(/^app_/);
    await page.getByRole("heading", { name: /job: App deploy: web/ }).waitFor();
    await page.locator('.step[data-step="route"].step-succeeded').waitFor({ timeout: DEPLOY_MS });
    await page.getByRole("heading", { name: /Last job: App deploy: web/ }).waitFor({ timeout: DEPLOY_MS });
    await page.getByTestId("job-status").getByText("succeeded").waitFor();
    expect(await page.locator(".step-failing").count()).toBe(0);
    expect(await page.getByRole("log", { name: "Job log" }).locator(".log-line").count()).toBeGreaterThan(0);
    await statusIs("running");
    await page
      .getByTestId("guest")
      .getByText(/LXC container \d+/)
      .waitFor();
    await shotBothThemes(page, "app-page");
  });

  it("links to the app's URL, which Caddy serves by name", async () => {
    const link = page.getByRole("link", { name: /web\.apps\.test/ }).first();
    const href = (await link.getAttribute("href")) ?? "";
    expect(await link.getAttribute("target")).toBe("_blank");
    expect(href).toBe(`https://web.apps.test:${stack.caddy.httpsPort}`);
    const served = await stack.fetchApp(new URL(href).hostname);
    expect(served.status).toBe(200);
  });

  it("follows the container logs live in the Logs tab", async () => {
    await page.getByRole("tab", { name: "Logs" }).click();
    await page
      .getByText("Following live; new lines appear as they are written.")
      .waitFor({ timeout: 20_000 });
    await page.getByRole("log", { name: "Container logs" }).waitFor();
    await page.getByRole("button", { name: "Pause" }).click();
    await page.getByText(/^Paused\./).waitFor();
    await page.getByRole("tab", { name: "Activity" }).click();
    await page.getByRole("heading", { name: /Last job: App deploy: web/ }).waitFor();
  });

  it("stops and starts the app from its page", async () => {
    await page.getByRole("button", { name: "Stop" }).click();
    await page.getByRole("heading", { name: /App action: stop/ }).waitFor();
    await statusIs("stopped");
    expect((await stack.fetchApp("web.apps.test")).status).toBe(502);
    await page.getByRole("button", { name: "Start" }).click();
    await page.getByRole("heading", { name: /App action: start/ }).waitFor();
    await statusIs("running");
    await expect
      .poll(async () => (await stack.fetchApp("web.apps.test")).status, { timeout: 20_000 })
      .toBe(200);
  });

  it("resizes: the disk cannot shrink, memory and disk grow", async () => {
    await page.getByRole("button", { name: "Resize" }).click();
    const dialog = page.getByRole("dialog", { name: "Resize “web”" });
    await dialog.getByLabel("Disk (GiB)").fill("1");
    await dialog.getByText(/cannot shrink/).waitFor();
    expect(await dialog.getByRole("button", { name: "Resize" }).isDisabled()).toBe(true);
    await dialog.getByLabel("Disk (GiB)").fill("6");
    await dialog.getByLabel("Memory (MiB)").fill("768");
    await dialog.getByRole("button", { name: "Resize" }).click();
    await dialog.waitFor({ state: "detached" });
    await page
      .getByTestId("resources")
      .getByText(/768 MiB memory, 6 GiB disk/)
      .waitFor({ timeout: DEPLOY_MS });
    await page.getByRole("heading", { name: /Last job: App resize/ }).waitFor({ timeout: DEPLOY_MS });
    await statusIs("running");
  });

  it("shows the app in the list and its count on the overview", async () => {
    await nav("Apps").click();
    const row = page.locator('tr[data-app="web"]');
    await row.getByTestId("app-status").getByText("running").waitFor();
    await row.getByRole("link", { name: /web\.apps\.test/ }).waitFor();
    await shotBothThemes(page, "apps", { fullPage: false });
    await nav("Overview").click();
    await page.getByRole("heading", { name: "Overview", level: 1 }).waitFor();
    await page.locator('[data-status="running"]').getByText("1").waitFor();
    // The running app is listed with its current usage (figures come within a minute).
    await page
      .getByRole("table", { name: "Running apps' usage" })
      .getByRole("link", { name: "web" })
      .waitFor();
    await page.goto(`/apps/${appId}`);
    await page.getByRole("heading", { name: "web", level: 1 }).waitFor();
  });

  it("deletes the app after its name is typed", async () => {
    await page.getByRole("button", { name: "Delete" }).click();
    const dialog = page.getByRole("dialog", { name: "Delete app “web”?" });
    const confirm = dialog.getByRole("button", { name: "Delete app" });
    expect(await confirm.isDisabled()).toBe(true);
    await dialog.getByLabel("Type web to confirm").fill("web");
    await confirm.click();
    await dialog.waitFor({ state: "detached" });
    // The apps list, saying how the deletion goes, not a page of an app that is no more.
    await page.getByRole("heading", { name: "Apps", level: 1 }).waitFor();
    await page
      .getByText("“web” is deleted: its guest, data and route are gone.")
      .waitFor({ timeout: DEPLOY_MS });
    expect(new URL(page.url()).pathname).toBe("/apps");
    expect((await stack.api.call("GET", `/api/v1/apps/${appId}`)).status).toBe(404);
    expect(errors).toEqual([]);
  });
});
