// The schedule service other parts (the AUTO policy) call: idempotent, validated with croner.
import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { changes, schedules } from "../db/schema/index.ts";
import { type Harness, makeHarness } from "../testing/harness.ts";
import { ensureSchedule, nextRuns, removeSchedules, validateCron } from "./schedules.ts";

let h: Harness;
let nodeId: string;
let appId: string;

beforeAll(async () => {
  h = await makeHarness();
  nodeId = await h.node("pve1");
  appId = await h.appOn(nodeId, 101);
});
afterAll(() => h?.close());

describe("schedules service", () => {
  it("refuses a bad expression naming it and croner's reason", () => {
    expect(() => validateCron("61 * * * *")).toThrow(
      /'61 \* \* \* \*' is not a valid cron expression: .*minute/,
    );
    expect(() => validateCron("every day")).toThrow(/'every day' is not a valid cron expression/);
    expect(validateCron(" 0 3 * * * ")).toBe("0 3 * * *");
  });

  it("computes the next runs in UTC", () => {
    const from = Date.parse("2026-01-01T00:00:00Z");
    expect(nextRuns("0 3 * * *", 3, from).map((t) => new Date(t).toISOString())).toEqual([
      "2026-01-01T03:00:00.000Z",
      "2026-01-02T03:00:00.000Z",
      "2026-01-03T03:00:00.000Z",
    ]);
  });

  it("ensureSchedule makes one schedule per kind, changes it, and tells the node's hub", async () => {
    const a = await ensureSchedule(h.deps, appId, "backup", "0 2 * * *");
    const b = await ensureSchedule(h.deps, appId, "backup", "0 2 * * *");
    expect(b.id).toBe(a.id);
    const c = await ensureSchedule(h.deps, appId, "backup", "0 4 * * *");
    expect(c.id).toBe(a.id);
    expect(c.cron).toBe("0 4 * * *");
    await ensureSchedule(h.deps, appId, "drill", "0 5 * * 0");
    const rows = await h.db.select().from(schedules).where(eq(schedules.appId, appId));
    expect(rows.map((r) => `${r.kind} ${r.cron}`).sort()).toEqual(["backup 0 4 * * *", "drill 0 5 * * 0"]);
    const pushed = await h.db.select().from(changes).where(eq(changes.topic, "schedules.changed"));
    expect(pushed.length).toBeGreaterThanOrEqual(3);
    expect(pushed.every((p) => p.nodeId === nodeId)).toBe(true);
    expect(await removeSchedules(h.deps, [appId], ["drill"])).toBe(1);
    expect(await removeSchedules(h.deps, [appId])).toBe(1);
    expect(await h.db.select().from(schedules).where(eq(schedules.appId, appId))).toEqual([]);
  });
});
