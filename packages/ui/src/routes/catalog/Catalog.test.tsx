import { cleanup, fireEvent, render, screen, waitFor, within } from "@solidjs/testing-library";
import { afterEach, expect, it, vi } from "vitest";
import { signedIn, signedOut } from "../../context/session.ts";
import { catalogEntry } from "../../testing/app-fixtures.ts";
import { mockApi, user } from "../../testing/mock-api.ts";
import { Catalog } from "./Catalog.tsx";

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
  signedOut();
});

const summary = (over: Parameters<typeof catalogEntry>[0]) => {
  const { compose: _c, ...s } = catalogEntry(over);
  return s;
};

it("lists apps with icon or letter, searches and filters on the server, deploy links for operators", async () => {
  signedIn({ user: user({ role: "operator" }), via: "session" });
  const calls = mockApi({
    "GET /api/v1/catalog": (call) => ({
      body: {
        items: call.url.searchParams.get("category")
          ? [summary({ id: "grafana", name: "Grafana", icon: "", category: "monitoring" })]
          : [summary({}), summary({ id: "grafana", name: "Grafana", icon: "", category: "monitoring" })],
      },
    }),
  });
  render(() => <Catalog />);
  const wiki = await screen.findByRole("listitem", { name: "Wiki" });
  expect(within(wiki).getByText("A small wiki.")).toBeTruthy();
  expect(wiki.querySelector("img")?.getAttribute("src")).toMatch(/^data:image\/svg\+xml/);
  const grafana = screen.getByRole("listitem", { name: "Grafana" });
  expect(grafana.querySelector(".app-letter")?.textContent).toBe("G");
  expect(within(wiki).getByRole("link", { name: "Deploy Wiki" }).getAttribute("href")).toBe(
    "/apps/new?catalog=wiki",
  );

  fireEvent.change(screen.getByLabelText("Category"), { target: { value: "monitoring" } });
  await waitFor(() => expect(screen.queryByRole("listitem", { name: "Wiki" })).toBeNull());
  fireEvent.input(screen.getByLabelText("Search"), { target: { value: "graf" } });
  await waitFor(() => expect(calls.at(-1)?.url.search).toBe("?q=graf&category=monitoring"));
});

it("offers viewers no deploy button", async () => {
  signedIn({ user: user({ role: "viewer" }), via: "session" });
  mockApi({ "GET /api/v1/catalog": { body: { items: [summary({})] } } });
  render(() => <Catalog />);
  await screen.findByRole("listitem", { name: "Wiki" });
  expect(screen.queryByRole("link", { name: /Deploy/ })).toBeNull();
});
