// The dashboard in Chromium against the real built server: first run, sign-in, users, tokens,
// audit, settings, phone width and the theme toggle. Screenshots go to test-results/screenshots.
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { Client, type RunningServer, scratchDir, startServer } from "../support/server.ts";
import { reportServerErrors, setupLink, shotBothThemes, signIn, signOut } from "./support/app.ts";
import { launchBrowser, newContext, shot, watchErrors } from "./support/browser.ts";

const ADMIN = { name: "Ada Admin", email: "ada@example.com", password: "a good long password" };

let server: RunningServer;
let browser: Browser;
let ctx: BrowserContext;
let page: Page;
let errors: string[];
let cleanup: () => void;

beforeAll(async () => {
  const scratch = scratchDir();
  cleanup = scratch.cleanup;
  server = await startServer(scratch.dir);
  browser = await launchBrowser();
  ctx = await newContext(browser, server.url);
  ctx.setDefaultTimeout(10_000);
  await ctx.grantPermissions(["clipboard-read", "clipboard-write"], { origin: server.url });
  page = await ctx.newPage();
  errors = watchErrors(page);
});

afterAll(async () => {
  reportServerErrors(server);
  await browser?.close();
  await server?.stop();
  cleanup?.();
});

const nav = (label: string) =>
  page.getByRole("navigation", { name: "Main" }).getByRole("link", { name: label });

describe("dashboard as an admin", () => {
  it("first-run setup through the printed link signs the admin in", async () => {
    // A made-up link is refused with the reason.
    await page.goto("/setup#token=notarealsetuptoken");
    await page.getByLabel("Name").fill(ADMIN.name);
    await page.getByLabel("Email").fill(ADMIN.email);
    await page.getByLabel("Password", { exact: true }).fill(ADMIN.password);
    await page.getByLabel("Confirm password").fill(ADMIN.password);
    await page.getByRole("button", { name: "Create admin account" }).click();
    await page.getByRole("alert").getByText("This setup link is invalid or has expired").waitFor();

    const link = new URL(await setupLink(server));
    await page.goto(link.pathname + link.hash);
    await page.getByRole("heading", { name: "Set up Pylon" }).waitFor();
    await page.getByLabel("Name").waitFor();
    // The secret is taken out of the address bar (and history) once read.
    expect(page.url()).not.toContain("token=");
    await shotBothThemes(page, "setup");

    await page.getByLabel("Name").fill(ADMIN.name);
    await page.getByLabel("Email").fill(ADMIN.email);
    await page.getByLabel("Password", { exact: true }).fill("too short");
    await page.getByLabel("Confirm password").fill("too short");
    await page.getByRole("button", { name: "Create admin account" }).click();
    await page.getByText("must be at least 12 characters").waitFor();

    await page.getByLabel("Password", { exact: true }).fill(ADMIN.password);
    await page.getByLabel("Confirm password").fill(ADMIN.password);
    await page.getByRole("button", { name: "Create admin account" }).click();
    // The overview is the landing page.
    await page.getByRole("heading", { name: "Overview" }).waitFor();
    expect(new URL(page.url()).pathname).toBe("/");
    await nav("Account").click();
    await page.locator("main").getByText(ADMIN.email).waitFor();
    await nav("Users").waitFor();
    await shotBothThemes(page, "account");
  });

  it("the setup link does not work twice", async () => {
    const other = await newContext(browser, server.url);
    try {
      const p = await other.newPage();
      const link = new URL(await setupLink(server));
      await p.goto(link.pathname + link.hash);
      await p.getByText("Setup is already complete.").waitFor();
    } finally {
      await other.close();
    }
  });

  it("signs out, refuses a wrong password with a message, and signs in again", async () => {
    await signOut(page);
    await page.getByText("You have signed out.").waitFor();
    await shotBothThemes(page, "sign-in");
    await page.getByLabel("Email").fill(ADMIN.email);
    await page.getByLabel("Password").fill("not the password");
    await page.getByRole("button", { name: "Sign in" }).click();
    await page.getByRole("alert").getByText("Invalid email or password").waitFor();
    await shot(page, "sign-in-wrong-password-light");
    await signIn(page, ADMIN.email, ADMIN.password);
  });

  it("signs in with the keyboard alone", async () => {
    await signOut(page);
    await page.locator("body").focus();
    for (let i = 0; i < 10; i++) {
      await page.keyboard.press("Tab");
      if (await page.getByLabel("Email").evaluate((el) => el === document.activeElement)) break;
    }
    await page.keyboard.type(ADMIN.email);
    await page.keyboard.press("Tab");
    await page.keyboard.type(ADMIN.password);
    await page.keyboard.press("Enter");
    await page.getByRole("banner").waitFor();
    // Focus is visible: the skip link first, then every control shows the focus ring.
    await page.keyboard.press("Tab");
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe("Skip to content");
    for (let i = 0; i < 4; i++) {
      await page.keyboard.press("Tab");
      const outline = await page.evaluate(() => {
        const el = document.activeElement;
        return el ? getComputedStyle(el).outlineStyle : "";
      });
      expect(outline).toBe("solid");
    }
    await shot(page, "keyboard-focus-light");
  });

  it("creates users, refuses a duplicate next to the email field, edits and deletes", async () => {
    await nav("Users").click();
    await page.getByRole("heading", { name: "Users" }).waitFor();
    const create = async (name: string, email: string) => {
      await page.getByRole("button", { name: "New user" }).click();
      await page.getByLabel("Name").fill(name);
      await page.getByLabel("Email").fill(email);
      await page.getByLabel("Password").fill("a user password");
      await page.getByRole("button", { name: "Create user" }).click();
    };
    await create("Vera Viewer", "vera@example.com");
    await page.getByText("User Vera Viewer (vera@example.com) created.").waitFor();
    await page.getByRole("cell", { name: "vera@example.com" }).waitFor();

    await create("Vera Again", "vera@example.com");
    await page.locator(".field-error", { hasText: "A user with this email already exists" }).waitFor();
    await page.getByRole("button", { name: "Cancel" }).click();

    await create("Otto Operator", "otto@example.com");
    await page.getByText("User Otto Operator (otto@example.com) created.").waitFor();
    await page.getByRole("button", { name: "Edit Otto Operator" }).click();
    const dialog = page.getByRole("dialog", { name: "Edit Otto Operator" });
    await dialog.getByLabel("Role").selectOption("operator");
    await dialog.getByRole("button", { name: "Save" }).click();
    await page.getByText("Otto Operator saved.").waitFor();
    const otto = page.getByRole("row", { name: /otto@example.com/ });
    await otto.getByText("operator", { exact: true }).waitFor();

    await page.getByRole("button", { name: "Disable Otto Operator" }).click();
    await otto.getByText("disabled", { exact: true }).waitFor();
    await page.getByRole("button", { name: "Enable Otto Operator" }).click();
    await otto.getByText("active", { exact: true }).waitFor();
    await shotBothThemes(page, "users");

    await page.getByRole("button", { name: "Delete Otto Operator" }).click();
    const confirm = page.getByRole("dialog", { name: "Delete user Otto Operator?" });
    await confirm.getByText("otto@example.com").waitFor();
    await shot(page, "users-delete-confirm-light");
    await confirm.getByRole("button", { name: "Delete Otto Operator" }).click();
    await page.getByText("User Otto Operator deleted.").waitFor();
    await expect.poll(() => page.getByRole("cell", { name: "otto@example.com" }).count()).toBe(0);
  });

  it("the last admin cannot be demoted, and the refusal is shown", async () => {
    await page.getByRole("button", { name: `Edit ${ADMIN.name}` }).click();
    const dialog = page.getByRole("dialog", { name: `Edit ${ADMIN.name}` });
    await dialog.getByLabel("Role").selectOption("viewer");
    await dialog.getByRole("button", { name: "Save" }).click();
    await dialog.getByRole("alert").getByText("last active admin").waitFor();
    await dialog.getByRole("button", { name: "Cancel" }).click();
  });

  it("creates a token, shows its secret once with a copy button, and revokes it", async () => {
    await nav("API tokens").click();
    await page.getByRole("heading", { name: "API tokens" }).waitFor();
    await page.getByLabel("Name").fill("ci deploys");
    await page.getByRole("radio", { name: /^admin —/ }).check();
    await page.getByRole("button", { name: "Create token" }).click();
    const secretBox = page.getByLabel("Token secret");
    await secretBox.waitFor();
    const secret = await secretBox.inputValue();
    expect(secret).toMatch(/^pyl_/);
    await page.getByText("you won't see it again").waitFor();
    await page.getByRole("button", { name: "Copy secret" }).click();
    await page.getByRole("button", { name: "Copied" }).waitFor();
    expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(secret);
    await shotBothThemes(page, "tokens");

    const me = await fetch(`${server.url}/api/v1/auth/me`, {
      headers: { authorization: `Bearer ${secret}` },
    });
    expect(me.status).toBe(200);

    await page.getByRole("button", { name: "I have stored it" }).click();
    await page.reload();
    await page.getByRole("cell", { name: /^ci deploys/ }).waitFor();
    expect(await page.content()).not.toContain(secret);

    await page.getByRole("button", { name: "Revoke token ci deploys" }).click();
    const confirm = page.getByRole("dialog", { name: "Revoke token “ci deploys”?" });
    await confirm.getByRole("button", { name: "Revoke token" }).click();
    await page.getByText("No tokens yet.").waitFor();
    const after = await fetch(`${server.url}/api/v1/auth/me`, {
      headers: { authorization: `Bearer ${secret}` },
    });
    expect(after.status).toBe(401);
  });

  it("the audit log shows what was done, pages with Load more, and filters", async () => {
    // Enough entries for more than one page (50 a page): tokens made by a script.
    const api = new Client(server.url);
    expect(
      (await api.call("POST", "/api/v1/auth/login", { email: ADMIN.email, password: ADMIN.password })).status,
    ).toBe(200);
    for (let i = 0; i < 50; i++)
      await api.call("POST", "/api/v1/tokens", { name: `bulk ${i}`, scopes: ["read"] });

    await nav("Audit log").click();
    await page.getByRole("heading", { name: "Audit log" }).waitFor();
    const actions = async () => page.locator("table.audit tbody td[data-label=Action]").allTextContents();
    await page.locator("table.audit").waitFor();
    expect(await actions()).toHaveLength(50);
    await shotBothThemes(page, "audit", { fullPage: false });
    await page.getByRole("button", { name: "Load more" }).click();
    await expect.poll(async () => (await actions()).length).toBeGreaterThan(50);
    expect(await page.getByRole("button", { name: "Load more" }).count()).toBe(0);
    const all = await actions();
    for (const a of [
      "setup.complete",
      "auth.login",
      "auth.logout",
      "users.create",
      "users.update",
      "users.delete",
      "tokens.create",
      "tokens.revoke",
    ]) {
      expect(all).toContain(a);
    }
    // User ids are shown by name.
    await page.locator("table.audit td[data-label=Target]", { hasText: "Vera Viewer" }).first().waitFor();

    await page.getByLabel("Action").fill("users.");
    await page.getByRole("button", { name: "Apply filters" }).click();
    await expect.poll(async () => (await actions()).every((a) => a.startsWith("users."))).toBe(true);
    expect((await actions()).length).toBeGreaterThanOrEqual(4);

    await page.getByLabel("Actor").selectOption({ label: `${ADMIN.name} (${ADMIN.email})` });
    await page.getByLabel("Action").fill("tokens.revoke");
    await page.getByRole("button", { name: "Apply filters" }).click();
    await expect.poll(actions).toEqual(["tokens.revoke"]);

    await page.getByRole("button", { name: "Clear" }).click();
    await expect.poll(async () => (await actions()).length).toBe(50);
  });

  it("settings shows the server version and links to the API docs", async () => {
    await nav("Settings").click();
    const health = (await (await fetch(`${server.url}/healthz`)).json()) as { version: string };
    await page.getByTestId("version").getByText(health.version).waitFor();
    const href = await page.getByRole("link", { name: "Interactive API documentation" }).getAttribute("href");
    expect(href).toBe("/api/docs");
    const docs = await ctx.newPage();
    await docs.goto("/api/docs");
    await docs.locator(".swagger-ui .info .title").waitFor();
    await docs.close();
    await shotBothThemes(page, "settings");
  });

  it("changes the password on the account page; a wrong current password is shown under its field", async () => {
    await nav("Account").click();
    await page.getByRole("heading", { name: "Change password" }).waitFor();
    const fill = async (current: string, next: string) => {
      await page.getByLabel("Current password").fill(current);
      await page.getByLabel("New password", { exact: true }).fill(next);
      await page.getByLabel("Confirm new password").fill(next);
      await page.getByRole("button", { name: "Change password" }).click();
    };
    await fill("not my password", "a newer long password");
    await page.locator(".field-error", { hasText: "is wrong" }).waitFor();
    await fill(ADMIN.password, "a newer long password");
    await page.getByText("Password changed. Your other sessions have been signed out.").waitFor();
    ADMIN.password = "a newer long password";
    // The session was renewed with the change: the next change (a mutation) still passes CSRF.
    await nav("API tokens").click();
    await page.getByLabel("Name").fill("after password change");
    await page.getByRole("button", { name: "Create token" }).click();
    await page.getByLabel("Token secret").waitFor();
    await page.getByRole("button", { name: "I have stored it" }).click();
  });

  it("works at phone width", async () => {
    const phone = await newContext(browser, server.url, { phone: true });
    try {
      const p = await phone.newPage();
      await p.goto("/admin/users");
      await p.getByRole("heading", { name: "Sign in to Pylon" }).waitFor();
      await shotBothThemes(p, "phone-sign-in");
      await signIn(p, ADMIN.email, ADMIN.password);
      await p.getByRole("heading", { name: "Users" }).waitFor();
      // Nothing wider than the screen.
      expect(await p.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(375);
      await shotBothThemes(p, "phone-users");
      await p.getByRole("button", { name: "Menu" }).click();
      await shotBothThemes(p, "phone-menu");
      await p.getByRole("link", { name: "Audit log" }).click();
      await p.getByRole("heading", { name: "Audit log" }).waitFor();
      expect(await p.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(375);
      await shotBothThemes(p, "phone-audit", { fullPage: false });
      for (const [path, name] of [
        ["/tokens", "phone-tokens"],
        ["/account", "phone-account"],
      ] as const) {
        await p.goto(path);
        await p.getByRole("banner").waitFor();
        await p.locator("main h1").waitFor();
        expect(await p.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(375);
        await shotBothThemes(p, name, { fullPage: false });
      }
    } finally {
      await phone.close();
    }
  });

  it("remembers the theme picked with the toggle", async () => {
    await page.emulateMedia({ colorScheme: "light" });
    await page.getByRole("button", { name: "Switch to dark theme" }).click();
    expect(await page.evaluate(() => document.documentElement.dataset.theme)).toBe("dark");
    await page.reload();
    await page.getByRole("button", { name: "Switch to light theme" }).waitFor();
    expect(await page.evaluate(() => document.documentElement.dataset.theme)).toBe("dark");
    expect(await page.evaluate(() => getComputedStyle(document.body).backgroundColor)).toBe(
      "rgb(15, 19, 26)",
    );
    await page.getByRole("button", { name: "Switch to light theme" }).click();
    await page.reload();
    expect(await page.evaluate(() => localStorage.getItem("pylon-theme"))).toBe("light");
    expect(await page.evaluate(() => getComputedStyle(document.body).backgroundColor)).toBe(
      "rgb(246, 247, 249)",
    );
  });

  it("had no script errors along the way", () => {
    expect(errors).toEqual([]);
  });
});
