// Backups in Chromium against the whole stack (built control plane, agent bundle, simulator with
// a Proxmox Backup Server storage, real Caddy): back an app up from its Backups tab, verify the
// backup with a drill, restore it as a new app, open the copy and reach it through Caddy;
// the Snapshots tab lists the deploy's snapshot. Screenshots in both themes.
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { type AppStack, caddyInstalled, startAppStack } from "../support/app-stack.ts";
import { ADMIN, jobFinished } from "../support/stack.ts";
import { reportServerErrors, shotBothThemes, signIn } from "./support/app.ts";
import { launchBrowser, newContext, shot, watchErrors } from "./support/browser.ts";

let stack: AppStack;
let browser: Browser;
let ctx: BrowserContext;
let page: Page;
let errors: string[];
let appId = "";

beforeAll(async () => {
  stack = await startAppStack({ storages: [{ id: "pbs", type: "pbs" }] });
  const res = await stack.api.call("POST", "/api/v1/apps", {
    name: "shop",
    source: { type: "catalog", catalogId: "nginx", parameters: {} },
    target: { nodeId: stack.nodeId, type: "lxc" },
  });
  appId = res.json.id;
  await jobFinished(stack.api, res.json.lastJobId, 60_000);
  browser = await launchBrowser();
  ctx = await newContext(browser, stack.server.url);
  ctx.setDefaultTimeout(15_000);
  page = await ctx.newPage();
  errors = watchErrors(page);
  await page.goto("/");
  await signIn(page, ADMIN.PYLON_ADMIN_EMAIL, ADMIN.PYLON_ADMIN_PASSWORD);
}, 150_000);

afterEach(async (c) => {
  if (c.task.result?.state === "fail" && page) await shot(page, `backups-failed-${c.task.name.slice(0, 40)}`);
});

afterAll(async () => {
  reportServerErrors(stack?.server);
  await ctx?.close().catch(() => {});
  await browser?.close();
  await stack?.stop();
});

describe.skipIf(!caddyInstalled())("backups in the dashboard", { timeout: 120_000 }, () => {
  it("backs the app up to the Proxmox Backup Server and verifies the backup with a drill", async () => {
    await page.goto(`/apps/${appId}`);
    await page.getByRole("tab", { name: "Backups" }).click();
    await page.getByText("No backups of this app yet.").waitFor();
    await page.getByLabel("Storage", { exact: true }).selectOption("pbs");
    await page.getByLabel("Note").fill("first one");
    await page.getByRole("button", { name: "Back up now" }).click();
    const row = page.locator("tr[data-testid^='backup-']").first();
    await row.getByText("ok", { exact: true }).waitFor({ timeout: 60_000 });
    await row.getByText("first one").waitFor();
    expect(await row.getByText("pbs", { exact: true }).count()).toBe(1);
    await row.getByRole("button", { name: "Drill" }).click();
    await row.getByText("verified").waitFor({ timeout: 60_000 });
    await shotBothThemes(page, "app-backups", { fullPage: true });
  });

  it("restores the backup as a new app, opens it, and Caddy serves it by name", async () => {
    await page.getByRole("button", { name: "Restore…" }).first().click();
    const dialog = page.getByRole("dialog");
    await dialog.getByLabel("As a new app").check();
    await dialog.getByLabel("Name of the new app").fill("shop-copy");
    await shot(page, "restore-dialog");
    await dialog.getByRole("button", { name: "Restore as new app" }).click();
    await page.getByRole("heading", { name: "shop-copy", level: 1 }).waitFor();
    await page
      .getByTestId("app-status")
      .filter({ hasText: /^\s*running\s*$/ })
      .first()
      .waitFor({ timeout: 60_000 });
    const link = page.getByRole("link", { name: /shop-copy\.apps\.test/ }).first();
    expect(await link.getAttribute("href")).toBe(`https://shop-copy.apps.test:${stack.caddy.httpsPort}`);
    expect((await stack.fetchApp("shop-copy.apps.test")).status).toBe(200);
  });

  it("lists the deploy's snapshot on the Snapshots tab", async () => {
    await page.goto(`/apps/${appId}`);
    await page.getByRole("tab", { name: "Snapshots" }).click();
    await page.locator("li[data-testid^='snapshot-pylon_']").first().waitFor({ timeout: 30_000 });
    await page.getByRole("button", { name: "Take snapshot" }).waitFor();
    expect(errors).toEqual([]);
  });
});
