// Steps a user takes in the dashboard, and the few things a test does behind its back.
import { createRequire } from "node:module";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import type { Page } from "playwright-core";
import { ROOT, type RunningServer } from "../../support/server.ts";
import { shot } from "./browser.ts";

/** The one-time setup link the server printed on first start. */
export async function setupLink(server: RunningServer): Promise<string> {
  for (let i = 0; i < 100; i++) {
    const m = /(https?:\/\/\S+\/setup#token=[a-z2-7]+)/.exec(server.output());
    if (m?.[1]) return m[1];
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`no setup link in the server output:\n${server.output()}`);
}

/** Signs in through the sign-in screen and waits for the signed-in shell. */
export async function signIn(page: Page, email: string, password: string): Promise<void> {
  await page.getByLabel("Email").fill(email);
  await page.getByLabel("Password").fill(password);
  await page.getByRole("button", { name: "Sign in" }).click();
  // The top bar: the side navigation is folded away at phone width.
  await page.getByRole("banner").waitFor();
}

/** Signs out through the user menu and waits for the sign-in screen. */
export async function signOut(page: Page): Promise<void> {
  await page.locator(".user-menu summary").click();
  await page.getByRole("button", { name: "Sign out" }).click();
  await page.getByRole("heading", { name: "Sign in to Pylon" }).waitFor();
}

/** Screenshots the page in the light and the dark theme (the system setting, nothing stored). */
export async function shotBothThemes(
  page: Page,
  name: string,
  opts: { fullPage?: boolean } = {},
): Promise<void> {
  for (const theme of ["light", "dark"] as const) {
    await page.emulateMedia({ colorScheme: theme });
    await shot(page, `${name}-${theme}`, opts);
  }
  await page.emulateMedia({ colorScheme: "light" });
}

interface SqlClient {
  execute(stmt: string | { sql: string; args: (string | number)[] }): Promise<unknown>;
  close(): void;
}

/** Opens the database the real server uses (libSQL, as the server does) for `fn`, then closes it. */
export async function withDatabase<T>(dataDir: string, fn: (db: SqlClient) => Promise<T>): Promise<T> {
  const require = createRequire(join(ROOT, "packages/control-plane/package.json"));
  const lib = (await import(pathToFileURL(require.resolve("@libsql/client")).href)) as {
    createClient: (c: { url: string }) => SqlClient;
  };
  const db = lib.createClient({ url: `file:${join(dataDir, "data", "pylon.db")}` });
  try {
    return await fn(db);
  } finally {
    db.close();
  }
}

/**
 * Moves every session's expiry into the past, as time would: the API offers no way to shorten
 * a session, so the test edits the database the real server uses.
 */
export async function expireAllSessions(dataDir: string): Promise<void> {
  await withDatabase(dataDir, (db) => db.execute("update sessions set expires_at = 0"));
}

/**
 * Adds `minutes` of one-a-minute metric samples before now for a node, as an agent would have sent
 * over hours (the server keeps one a minute, so a test cannot wait for them), for the charts.
 */
export async function addMetricSamples(dataDir: string, nodeId: string, minutes: number): Promise<void> {
  const now = Date.now();
  const gib = 1024 ** 3;
  await withDatabase(dataDir, async (db) => {
    for (let i = minutes; i > 0; i--) {
      const t = minutes - i;
      await db.execute({
        sql: "insert into node_metrics (node_id, at, cpu, mem_used, mem_total, disk_used, disk_total) values (?, ?, ?, ?, ?, ?, ?)",
        args: [
          nodeId,
          now - i * 60_000,
          0.2 + 0.15 * Math.sin(t / 12) + 0.05 * Math.sin(t / 2.3),
          (10 + 2 * Math.sin(t / 30)) * gib,
          32 * gib,
          (380 + t * 0.15) * gib,
          500 * gib,
        ],
      });
    }
  });
}

/** Prints the server's error lines (if any) so a failed run shows why the server misbehaved. */
export function reportServerErrors(server: RunningServer | undefined): void {
  const lines = server?.output().split("\n") ?? [];
  const bad = lines.filter((l) => /"level":"(error|fatal)"|Error|exited/.test(l));
  if (bad.length) console.error(`server errors:\n${bad.slice(-40).join("\n")}`);
}
