import { cleanup, render, screen, within } from "@solidjs/testing-library";
import { afterEach, expect, it } from "vitest";
import { app } from "../../testing/app-fixtures.ts";
import { AppUsage } from "./AppUsage.tsx";

afterEach(cleanup);

const MiB = 2 ** 20;

it("lists each running app's current CPU and memory, and says when there are no figures yet", () => {
  render(() => (
    <AppUsage
      apps={[
        app({
          metrics: { at: "2026-11-21T10:00:00.000Z", cpu: 0.37, memUsed: 128 * MiB, memTotal: 512 * MiB },
        }),
        app({ id: "app_new", name: "new", metrics: null }),
        app({ id: "app_off", name: "off", status: "stopped" }),
      ]}
    />
  ));
  const table = screen.getByRole("table", { name: "Running apps' usage" });
  const rows = within(table).getAllByRole("row").slice(1);
  expect(rows.map((r) => r.getAttribute("data-app"))).toEqual(["web", "new"]);
  expect(rows[0]?.textContent).toContain("37 %");
  expect(rows[0]?.textContent).toMatch(/128(\.0)? MiB of 512(\.0)? MiB/);
  expect(rows[1]?.textContent).toContain("no figures yet");
});

it("shows nothing when no app runs", () => {
  render(() => <AppUsage apps={[app({ status: "stopped" })]} />);
  expect(screen.queryByRole("table")).toBeNull();
});
