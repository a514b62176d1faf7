import { cleanup, fireEvent, render, screen, waitFor } from "@solidjs/testing-library";
import { afterEach, expect, it, vi } from "vitest";
import { app } from "../../testing/app-fixtures.ts";
import { apiError, mockApi } from "../../testing/mock-api.ts";
import { UpdateActions } from "./UpdateActions.tsx";

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

const outdated = () =>
  app({ update: { current: "1.25.0", available: "1.27.3", checkedAt: "2026-12-01T00:00:00.000Z" } });

it("updates to the available version and hands the app (now deploying, with its update job) on", async () => {
  const calls = mockApi({
    "POST /api/v1/apps/app_web/update": {
      status: 202,
      body: app({ status: "deploying", lastJobId: "job_update" }),
    },
  });
  const onUpdating = vi.fn();
  render(() => <UpdateActions app={outdated()} onChanged={() => {}} onUpdating={onUpdating} />);
  fireEvent.click(screen.getByRole("button", { name: "Update to 1.27.3" }));
  await waitFor(() => expect(onUpdating).toHaveBeenCalled());
  expect(onUpdating.mock.calls[0]?.[0]).toMatchObject({ status: "deploying", lastJobId: "job_update" });
  expect(calls.map((c) => `${c.method} ${c.url.pathname}`)).toEqual(["POST /api/v1/apps/app_web/update"]);
});

it("shows why an update is refused, and checks on demand", async () => {
  mockApi({
    "POST /api/v1/apps/app_web/update": apiError(
      409,
      "conflict",
      "App 'web': storage 'local' cannot take snapshots, so a failed update could not be rolled back",
    ),
    "POST /api/v1/apps/app_web/update-check": {
      body: { current: "1.25.0", available: "1.27.3", checkedAt: "2026-12-03T00:00:00.000Z" },
    },
  });
  const onChanged = vi.fn();
  render(() => <UpdateActions app={outdated()} onChanged={onChanged} onUpdating={() => {}} />);
  fireEvent.click(screen.getByRole("button", { name: "Update to 1.27.3" }));
  await screen.findByText(/cannot take snapshots/);
  fireEvent.click(screen.getByRole("button", { name: "Check for updates" }));
  await waitFor(() => expect(onChanged).toHaveBeenCalled());
});

it("offers no update for an app that is up to date, nor anything for a Git app", () => {
  mockApi({});
  render(() => (
    <UpdateActions
      app={app({ update: { current: "1.27.3", available: null, checkedAt: "2026-12-01T00:00:00.000Z" } })}
      onChanged={() => {}}
      onUpdating={() => {}}
    />
  ));
  expect(screen.queryByRole("button", { name: /Update to/ })).toBeNull();
  expect(screen.getByText("Up to date (1.27.3)")).toBeTruthy();
  cleanup();
  render(() => <UpdateActions app={app({ update: null })} onChanged={() => {}} onUpdating={() => {}} />);
  expect(screen.queryByRole("button", { name: "Check for updates" })).toBeNull();
});
