// The job page across a control-plane restart: the browser's stream drops mid-job, reconnects by
// itself, and shows every log line exactly once, in order, to the end.
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, expect, it } from "vitest";
import { Client, type RunningServer, scratchDir, startServer } from "../support/server.ts";
import { reportServerErrors, signIn } from "./support/app.ts";
import { launchBrowser, newContext } from "./support/browser.ts";
import { ScriptedNode } from "./support/scripted-node.ts";

const ADMIN = { PYLON_ADMIN_EMAIL: "admin@example.com", PYLON_ADMIN_PASSWORD: "admin password 123" };

let server: RunningServer;
let browser: Browser;
let page: Page;
let node: ScriptedNode | undefined;
let admin: Client;
let scratch: ReturnType<typeof scratchDir>;

async function adminClient(url: string): Promise<Client> {
  const c = new Client(url);
  for (let i = 0; i < 50; i++) {
    const login = { email: ADMIN.PYLON_ADMIN_EMAIL, password: ADMIN.PYLON_ADMIN_PASSWORD };
    if ((await c.call("POST", "/api/v1/auth/login", login)).status === 200) return c;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error("admin cannot sign in");
}

beforeAll(async () => {
  scratch = scratchDir();
  server = await startServer(scratch.dir, ADMIN);
  admin = await adminClient(server.url);
  const made = await admin.call("POST", "/api/v1/nodes", { name: "pve-restart" });
  node = await ScriptedNode.enroll(server.url, made.json.enrollment.token, "pve-restart");
  browser = await launchBrowser();
  const ctx = await newContext(browser, server.url);
  ctx.setDefaultTimeout(15_000);
  page = await ctx.newPage();
  await page.goto("/jobs");
  await signIn(page, ADMIN.PYLON_ADMIN_EMAIL, ADMIN.PYLON_ADMIN_PASSWORD);
}, 60_000);

afterAll(async () => {
  reportServerErrors(server);
  node?.stop();
  await browser?.close();
  await server?.stop();
  scratch?.cleanup();
});

it("reconnects by itself after the server restarts and misses no line", async () => {
  node?.on("guest.power", (offer, n) => {
    n.accept(offer.jobId);
    n.event(offer.jobId, { kind: "step", step: "long task", status: "started" });
    for (let i = 1; i <= 3; i++) n.event(offer.jobId, { kind: "log", level: "info", message: `line ${i}` });
  });
  const job = await admin.call("POST", `/api/v1/nodes/${node?.nodeId}/guests/101/power`, {
    type: "lxc",
    action: "start",
  });
  expect(job.status).toBe(202);
  await page.goto(`/jobs/${job.json.id}`);
  await page.getByText("line 3").waitFor();

  // The control plane goes away and comes back on the same address; the agent reconnects and
  // carries on with the job it still runs.
  await server.stop();
  await page.getByText(/reconnecting/).waitFor();
  server = await startServer(scratch.dir, { ...ADMIN, PYLON_PORT: String(server.port) });
  await node?.reconnect(server.url, [job.json.id]);
  for (let i = 4; i <= 6; i++) node?.event(job.json.id, { kind: "log", level: "info", message: `line ${i}` });
  node?.event(job.json.id, { kind: "step", step: "long task", status: "succeeded" });
  node?.event(job.json.id, { kind: "result", status: "succeeded" });

  await page.getByTestId("job-status").getByText("succeeded").waitFor();
  const lines = await page.locator(".log-line span").allTextContents();
  expect(lines).toEqual(["line 1", "line 2", "line 3", "line 4", "line 5", "line 6"]);
  expect(await page.getByText(/reconnecting/).count()).toBe(0);
}, 60_000);
