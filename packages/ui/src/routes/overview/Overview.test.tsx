import { cleanup, render, screen } from "@solidjs/testing-library";
import { afterEach, expect, it, vi } from "vitest";
import { signedIn, signedOut } from "../../context/session.ts";
import { app } from "../../testing/app-fixtures.ts";
import { mockApi, node, user } from "../../testing/mock-api.ts";
import { Overview } from "./Overview.tsx";

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
  signedOut();
});

function api(nodes: unknown[], apps: unknown[]) {
  mockApi({
    "GET /api/v1/nodes": { body: { items: nodes } },
    "GET /api/v1/apps": { body: { items: apps } },
    "GET /api/v1/jobs": { body: { items: [], nextCursor: null } },
  });
}

it("tells an admin on a fresh install what to do next, not that no jobs match a filter", async () => {
  signedIn({ user: user({ role: "admin" }), via: "session" });
  api([], []);
  render(() => <Overview />);
  const start = await screen.findByRole("region", { name: "Get started" });
  expect(start.textContent).toContain("Add a node.");
  expect(screen.getByRole("link", { name: "Nodes → Add node" }).getAttribute("href")).toBe("/nodes");
  expect(start.textContent).toContain("Deploy an app.");
  await screen.findByText(/No jobs yet\. Agents record their work here/);
  expect(screen.queryByText("No jobs match.")).toBeNull();
  expect(screen.getByText(/They need a node to run on/)).toBeTruthy();
});

it("tells a viewer who adds nodes, and marks the node step done once one exists", async () => {
  signedIn({ user: user({ role: "viewer" }), via: "session" });
  api([], []);
  render(() => <Overview />);
  const start = await screen.findByRole("region", { name: "Get started" });
  expect(start.textContent).toContain("An admin adds one");
  expect(start.textContent).toContain("Operators deploy apps");
  cleanup();
  signedIn({ user: user({ role: "operator" }), via: "session" });
  api([node()], []);
  render(() => <Overview />);
  const again = await screen.findByRole("region", { name: "Get started" });
  expect(again.querySelector("li")?.getAttribute("data-done")).toBe("true");
  expect(screen.getByRole("link", { name: "catalog" })).toBeTruthy();
});

it("has no getting-started card once an app exists", async () => {
  signedIn({ user: user({ role: "admin" }), via: "session" });
  api([node()], [app()]);
  render(() => <Overview />);
  await screen.findByRole("list", { name: "Apps by status" });
  expect(screen.queryByRole("region", { name: "Get started" })).toBeNull();
});
