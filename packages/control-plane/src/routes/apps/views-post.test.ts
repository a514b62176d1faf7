// Log views and diagnostics start jobs on the node, so they are POSTs with the CSRF and Origin
// checks of every mutation (a GET starts nothing), and they stay out of job lists unless asked.
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { apps, jobs } from "../../db/schema/index.ts";
import { createJob } from "../../services/jobs.ts";
import { type Browser, type Harness, makeHarness } from "../../testing/harness.ts";

let h: Harness;
let browser: Browser;
let op: string;
let nodeId: string;
let appId: string;

beforeAll(async () => {
  h = await makeHarness();
  const operator = await h.user("operator");
  browser = await h.signIn(operator.email);
  op = await h.token(operator, ["deploy"]);
  nodeId = await h.node("pve-views");
  appId = await h.appOn(nodeId, 321, "viewed");
  await h.db.update(apps).set({ status: "running" }).where(eq(apps.id, appId));
});
afterAll(() => h.close());

const jobCount = async () => (await h.db.select().from(jobs).where(eq(jobs.nodeId, nodeId))).length;

describe("starting a log view or a diagnostic", () => {
  it.each([
    ["logs", `/logs`],
    ["diagnostics", `/diagnostics/status`],
  ])("%s: GET is refused with 405 and starts nothing", async (_what, rest) => {
    const res = await h.call("GET", `/api/v1/apps/${appId}${rest}`, { as: browser });
    expect(res.status).toBe(405);
    expect(res.headers.get("allow")).toBe("POST");
    expect((await res.json()).error.code).toBe("method_not_allowed");
    expect(await jobCount()).toBe(0);
  });

  it.each([
    ["logs", `/logs`],
    ["diagnostics", `/diagnostics/status`],
  ])("%s: a browser session needs its CSRF token and its own Origin", async (_what, rest) => {
    const path = `/api/v1/apps/${appId}${rest}`;
    const noCsrf = await h.call("POST", path, {
      as: browser,
      body: {},
      headers: { "x-csrf-token": "wrong" },
    });
    expect(noCsrf.status).toBe(403);
    expect((await noCsrf.json()).error.code).toBe("csrf_failed");
    const crossSite = await h.call("POST", path, {
      as: browser,
      body: {},
      headers: { origin: "https://evil.example" },
    });
    expect(crossSite.status).toBe(403);
    expect((await crossSite.json()).error.message).toMatch(/Cross-site request refused/);
    expect(await jobCount()).toBe(0);
  });
});

describe("job lists", () => {
  it("leave log views and diagnostics out unless asked for", async () => {
    const deploy = await h.call("POST", `/api/v1/apps/${appId}/actions`, {
      as: op,
      body: { action: "restart" },
    });
    expect(deploy.status).toBe(202);
    // A diagnostic and a log view, as their routes queue them (no agent here to answer the routes).
    await createJob(h.deps, {
      nodeId,
      kind: "app.diagnostics",
      params: { appId, vmid: 321, type: "lxc", name: "disk" },
      origin: { requestedBy: null, outputAccess: { role: "operator", scope: "read" } },
    });
    await createJob(h.deps, {
      nodeId,
      kind: "app.logs",
      params: { appId, vmid: 321, type: "lxc", follow: false, tail: 10 },
      origin: { requestedBy: null, outputAccess: { role: "operator", scope: "read" } },
    });
    expect(await jobCount()).toBe(3);

    const kinds = async (q: string) =>
      ((await (await h.call("GET", `/api/v1/jobs?${q}`, { as: op })).json()).items as { kind: string }[])
        .map((j) => j.kind)
        .sort();
    expect(await kinds(`node=${nodeId}`)).toEqual(["app.action"]);
    expect(await kinds(`app=${appId}`)).toEqual(["app.action"]);
    expect(await kinds(`node=${nodeId}&views=true`)).toEqual(["app.action", "app.diagnostics", "app.logs"]);
    expect(await kinds(`node=${nodeId}&kind=app.logs`)).toEqual(["app.logs"]);
  });
});
