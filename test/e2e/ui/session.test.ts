// Sessions and roles in Chromium against the real server: a session ended elsewhere, an expired
// session, throttled sign-in, and a viewer who sees no admin screens (and whom the API refuses).
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Client, type RunningServer, scratchDir, startServer } from "../support/server.ts";
import { expireAllSessions, reportServerErrors, shotBothThemes, signIn } from "./support/app.ts";
import { launchBrowser, newContext, shot } from "./support/browser.ts";

const ADMIN = { PYLON_ADMIN_EMAIL: "admin@example.com", PYLON_ADMIN_PASSWORD: "admin password 123" };
const VIEWER = { email: "viewer@example.com", password: "viewer password 123" };

let server: RunningServer;
let browser: Browser;
let dir: string;
let cleanup: () => void;
const contexts: BrowserContext[] = [];

async function freshPage(): Promise<Page> {
  const ctx = await newContext(browser, server.url);
  ctx.setDefaultTimeout(10_000);
  contexts.push(ctx);
  const page = await ctx.newPage();
  await page.goto("/account");
  return page;
}

beforeAll(async () => {
  const scratch = scratchDir();
  dir = scratch.dir;
  cleanup = scratch.cleanup;
  server = await startServer(dir, ADMIN);
  const admin = new Client(server.url);
  // The admin from PYLON_ADMIN_* is created just after the server starts listening.
  for (let i = 0; i < 50; i++) {
    const login = { email: ADMIN.PYLON_ADMIN_EMAIL, password: ADMIN.PYLON_ADMIN_PASSWORD };
    if ((await admin.call("POST", "/api/v1/auth/login", login)).status === 200) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  const made = await admin.call("POST", "/api/v1/users", { ...VIEWER, name: "Val Viewer", role: "viewer" });
  expect(made.status).toBe(201);
  browser = await launchBrowser();
});

afterAll(async () => {
  reportServerErrors(server);
  for (const c of contexts) await c.close().catch(() => {});
  await browser?.close();
  await server?.stop();
  cleanup?.();
});

describe("sessions", () => {
  it("a session ended elsewhere sends the user to sign-in and says why", async () => {
    const page = await freshPage();
    await signIn(page, ADMIN.PYLON_ADMIN_EMAIL, ADMIN.PYLON_ADMIN_PASSWORD);
    // Another browser holding the same cookie signs out: the server ends the session.
    const other = await newContext(browser, server.url);
    contexts.push(other);
    await other.addCookies(await page.context().cookies());
    expect((await other.request.post("/api/v1/auth/logout")).status()).toBe(204);

    await page.getByRole("link", { name: "API tokens" }).click();
    await page.getByRole("heading", { name: "Sign in to Pylon" }).waitFor();
    await page.getByText("Your session has ended").waitFor();
    // Signing in again returns to where the user was.
    await signIn(page, ADMIN.PYLON_ADMIN_EMAIL, ADMIN.PYLON_ADMIN_PASSWORD);
    await page.getByRole("heading", { name: "API tokens" }).waitFor();
  });

  it("an expired session says so on the sign-in screen", async () => {
    const page = await freshPage();
    await signIn(page, ADMIN.PYLON_ADMIN_EMAIL, ADMIN.PYLON_ADMIN_PASSWORD);
    await expireAllSessions(dir);
    await page.getByRole("link", { name: "Users" }).click();
    await page.getByText("Your session has expired; sign in again.").waitFor();
    await shotBothThemes(page, "sign-in-expired");
    // A reload with the (now cleared) cookie shows the plain sign-in screen.
    await page.reload();
    await page.getByRole("heading", { name: "Sign in to Pylon" }).waitFor();
  });

  it("throttled sign-in says how long to wait and holds the button", async () => {
    const page = await freshPage();
    const api = new Client(server.url);
    for (let i = 0; i < 5; i++) {
      await api.call("POST", "/api/v1/auth/login", { email: "nobody@example.com", password: "wrong" });
    }
    await page.getByLabel("Email").fill("nobody@example.com");
    await page.getByLabel("Password").fill("wrong again");
    await page.getByRole("button", { name: "Sign in" }).click();
    await page
      .getByRole("alert")
      .getByText(/Too many failed sign-in attempts; try again in \d+ seconds/)
      .waitFor();
    expect(await page.getByRole("button", { name: "Sign in" }).isDisabled()).toBe(true);
    await shot(page, "sign-in-throttled-light");
  });
});

describe("a viewer", () => {
  it("sees no admin screens or buttons, and the API refuses them anyway", async () => {
    const page = await freshPage();
    await signIn(page, VIEWER.email, VIEWER.password);
    const nav = page.getByRole("navigation", { name: "Main" });
    await nav.getByRole("link", { name: "API tokens" }).waitFor();
    expect(await nav.getByRole("link").allTextContents()).toEqual([
      "Overview",
      "Apps",
      "Catalog",
      "Nodes",
      "Jobs",
      "Account",
      "API tokens",
    ]);
    expect(await page.getByText("Admin", { exact: true }).count()).toBe(0);

    await nav.getByRole("link", { name: "API tokens" }).click();
    await page.getByRole("heading", { name: "New token" }).waitFor();
    // Only the scope a viewer may grant, and no "every user's tokens" switch.
    expect(await page.getByRole("radio").count()).toBe(1);
    await page.getByRole("radio", { name: /read/ }).waitFor();
    expect(await page.getByText("Show every user's tokens").count()).toBe(0);
    await shotBothThemes(page, "viewer-tokens");

    for (const path of ["/admin/users", "/admin/audit", "/admin/settings"]) {
      await page.goto(path);
      await page.getByRole("heading", { name: "Page not found" }).waitFor();
    }

    const csrf = (await page.context().cookies()).find((c) => c.name === "pylon_csrf")?.value ?? "";
    expect((await page.request.get("/api/v1/users")).status()).toBe(403);
    expect((await page.request.get("/api/v1/audit")).status()).toBe(403);
    expect((await page.request.get("/api/v1/tokens?all=true")).status()).toBe(403);
    const create = await page.request.post("/api/v1/users", {
      headers: { "x-csrf-token": csrf },
      data: { email: "x@example.com", name: "X", role: "admin", password: "a long password 1" },
    });
    expect(create.status()).toBe(403);
    const token = await page.request.post("/api/v1/tokens", {
      headers: { "x-csrf-token": csrf },
      data: { name: "too strong", scopes: ["admin"] },
    });
    expect(token.status()).toBe(403);
  });
});
