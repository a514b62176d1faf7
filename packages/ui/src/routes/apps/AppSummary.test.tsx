import { cleanup, render, screen } from "@solidjs/testing-library";
import { afterEach, expect, it } from "vitest";
import { app } from "../../testing/app-fixtures.ts";
import { node } from "../../testing/mock-api.ts";
import { AppSummary } from "./AppSummary.tsx";

afterEach(cleanup);

it("names a catalog app's source by the catalog's name for it, as the catalog and wizard do", () => {
  const a = app({
    source: {
      type: "catalog",
      catalogId: "uptime-kuma",
      name: "Uptime Kuma",
      version: "1.23.16",
      parameters: {},
    },
  });
  render(() => <AppSummary app={a} node={node()} />);
  expect(screen.getByTestId("source").textContent).toBe("Catalog: Uptime Kuma 1.23.16");
});

it("says on a simulated node's app that it answers with a placeholder, and nothing of the kind elsewhere", () => {
  render(() => <AppSummary app={app()} node={node({ simulated: true })} />);
  expect(screen.getByRole("note").textContent).toMatch(/^Simulated node: apps answer with a placeholder\./);
  cleanup();
  render(() => <AppSummary app={app()} node={node({ simulated: false })} />);
  expect(screen.queryByRole("note")).toBeNull();
});
