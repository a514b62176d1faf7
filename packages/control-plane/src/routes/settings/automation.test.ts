// The automation policy through the API, with a fake scheduler that records what it was asked.
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { apps, auditLog } from "../../db/schema/index.ts";
import type { PolicyScheduleKind, PolicyScheduler } from "../../deps.ts";
import { AUTO_RETENTION } from "../../services/policy.ts";
import { type Harness, makeHarness } from "../../testing/harness.ts";

const calls: string[] = [];
const scheduler: PolicyScheduler = {
  async ensure(appId: string, kind: PolicyScheduleKind, cron: string) {
    calls.push(`ensure ${appId} ${kind} ${cron}`);
  },
  async remove(appId: string, kind: PolicyScheduleKind) {
    calls.push(`remove ${appId} ${kind}`);
  },
};

let h: Harness;
let admin: string;
let op: string;
let nodeId: string;
beforeAll(async () => {
  h = await makeHarness({ policyScheduler: scheduler });
  admin = await h.token(await h.user("admin"), ["write"]);
  op = await h.token(await h.user("operator"), ["deploy"]);
  nodeId = await h.node("pve1");
});
afterAll(() => h.close());

const retentionOf = async (id: string) =>
  (await h.db.select({ r: apps.retention }).from(apps).where(eq(apps.id, id)))[0]?.r;

describe("the automation policy", () => {
  it("is PRO on an install that never chose, and PRO changes no app", async () => {
    const id = await h.appOn(nodeId, 101);
    expect((await (await h.call("GET", "/api/v1/settings", { as: op })).json()).automation).toBe("pro");
    const res = await h.call("PUT", "/api/v1/settings/automation", {
      as: admin,
      body: { automation: "pro" },
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ automation: "pro", appsApplied: 0, schedulesApplied: true });
    expect(calls).toEqual([]);
    expect(await retentionOf(id)).toBeNull();
  });

  it("AUTO gives every existing app its three schedules and the default retention, keeping one the user set", async () => {
    calls.length = 0;
    const plain = await h.appOn(nodeId, 102);
    const tuned = await h.appOn(nodeId, 103);
    await h.db
      .update(apps)
      .set({ retention: { keepLast: 2 } })
      .where(eq(apps.id, tuned));
    const res = await h.call("PUT", "/api/v1/settings/automation", {
      as: admin,
      body: { automation: "auto" },
    });
    expect(res.status).toBe(200);
    expect((await res.json()).automation).toBe("auto");
    for (const id of [plain, tuned])
      expect(calls.filter((c) => c.startsWith(`ensure ${id} `))).toEqual([
        `ensure ${id} backup 0 3 * * *`,
        `ensure ${id} drill 30 4 * * 0`,
        `ensure ${id} update-check 0 5 * * 1`,
      ]);
    expect(await retentionOf(plain)).toEqual(AUTO_RETENTION);
    expect(await retentionOf(tuned)).toEqual({ keepLast: 2 });
    expect((await (await h.call("GET", "/api/v1/settings", { as: op })).json()).automation).toBe("auto");
    const audited = await h.db.select().from(auditLog).where(eq(auditLog.action, "settings.automation"));
    expect(audited.map((a) => [a.target, a.result])).toContainEqual(["auto", "success"]);
  });

  it("under AUTO a new app gets the policy when it is created", async () => {
    calls.length = 0;
    const res = await h.call("POST", "/api/v1/apps", {
      as: op,
      body: { name: "born-auto", source: { type: "catalog", catalogId: "nginx" }, target: { nodeId } },
    });
    expect(res.status).toBe(202);
    const app = await res.json();
    expect(calls).toEqual([
      `ensure ${app.id} backup 0 3 * * *`,
      `ensure ${app.id} drill 30 4 * * 0`,
      `ensure ${app.id} update-check 0 5 * * 1`,
    ]);
    expect(await retentionOf(app.id)).toEqual(AUTO_RETENTION);
  });

  it("back to PRO: nothing is taken away, new apps get nothing; only admins may switch, and only to a known policy", async () => {
    expect(
      (await h.call("PUT", "/api/v1/settings/automation", { as: op, body: { automation: "pro" } })).status,
    ).toBe(403);
    const bad = await h.call("PUT", "/api/v1/settings/automation", {
      as: admin,
      body: { automation: "max" },
    });
    expect(bad.status).toBe(400);
    expect(JSON.stringify(await bad.json())).toMatch(/automation/);
    calls.length = 0;
    await h.call("PUT", "/api/v1/settings/automation", { as: admin, body: { automation: "pro" } });
    const res = await h.call("POST", "/api/v1/apps", {
      as: op,
      body: { name: "born-pro", source: { type: "catalog", catalogId: "nginx" }, target: { nodeId } },
    });
    const app = await res.json();
    expect(calls).toEqual([]);
    expect(await retentionOf(app.id)).toBeNull();
  });
});
