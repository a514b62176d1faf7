import { cleanup, fireEvent, render, screen, waitFor, within } from "@solidjs/testing-library";
import { afterEach, expect, it, vi } from "vitest";
import { app } from "../../../testing/app-fixtures.ts";
import { mockApi } from "../../../testing/mock-api.ts";
import { ScheduleCard } from "./ScheduleCard.tsx";

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

const EMPTY = { items: [], nodeDefault: null, runs: [] };

it("offers update checks for a catalog app and adds one with the cron typed", async () => {
  const calls = mockApi({
    "GET /api/v1/apps/app_web/schedules": { body: EMPTY },
    "POST /api/v1/apps/app_web/schedules": { status: 201, body: {} },
  });
  render(() => <ScheduleCard app={app()} canOperate={true} />);
  const kind = (await screen.findByLabelText("Schedule")) as HTMLSelectElement;
  expect([...kind.options].map((o) => o.textContent)).toEqual([
    "Backup",
    "Restore drill (newest backup)",
    "Update check",
  ]);
  fireEvent.change(kind, { target: { value: "update-check" } });
  fireEvent.input(screen.getByLabelText("Cron"), { target: { value: "0 5 * * 1" } });
  fireEvent.submit(kind.closest("form") as HTMLFormElement);
  await waitFor(() => expect(calls.some((c) => c.method === "POST")).toBe(true));
  expect(calls.find((c) => c.method === "POST")?.body).toEqual({ kind: "update-check", cron: "0 5 * * 1" });
});

it("offers no update check for a Git app (there is no catalog version to compare)", async () => {
  mockApi({ "GET /api/v1/apps/app_web/schedules": { body: EMPTY } });
  const git = app({ source: { type: "git", url: "https://example.com/me/site.git", ref: "main" } as never });
  render(() => <ScheduleCard app={git} canOperate={true} />);
  const kind = (await screen.findByLabelText("Schedule")) as HTMLSelectElement;
  expect(within(kind).queryByText("Update check")).toBeNull();
});
