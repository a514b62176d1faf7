import { cleanup, fireEvent, render, screen, within } from "@solidjs/testing-library";
import { afterEach, expect, it, vi } from "vitest";
import { App } from "./App.tsx";
import { apiError, mockApi, user } from "./testing/mock-api.ts";

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

it("a viewer sees no admin navigation, and admin paths are not found", async () => {
  history.replaceState(null, "", "/");
  mockApi({
    "GET /api/v1/auth/me": { body: { user: user({ role: "viewer", name: "Val" }), via: "session" } },
    "GET /api/v1/tokens": { body: { items: [] } },
    "GET /api/v1/nodes": { body: { items: [] } },
    "GET /api/v1/jobs": { body: { items: [], nextCursor: null } },
    "GET /api/v1/apps": { body: { items: [] } },
  });
  render(() => <App />);
  const nav = await screen.findByRole("navigation", { name: "Main" });
  // The overview is the landing page.
  await screen.findByRole("heading", { name: "Overview" });
  expect(location.pathname).toBe("/");
  expect(
    within(nav)
      .getAllByRole("link")
      .map((a) => a.textContent),
  ).toEqual(["Overview", "Apps", "Catalog", "Nodes", "Jobs", "Account", "API tokens"]);
  history.pushState(null, "", "/admin/users");
  dispatchEvent(new PopStateEvent("popstate"));
  await screen.findByRole("heading", { name: "Page not found" });
});

it("an admin sees the admin navigation and moves between screens without reloading", async () => {
  history.replaceState(null, "", "/account");
  mockApi({
    "GET /api/v1/auth/me": { body: { user: user(), via: "session" } },
    "GET /api/v1/users": { body: { items: [user()] } },
  });
  render(() => <App />);
  const nav = await screen.findByRole("navigation", { name: "Main" });
  expect(
    within(nav)
      .getAllByRole("link")
      .map((a) => a.textContent),
  ).toEqual([
    "Overview",
    "Apps",
    "Catalog",
    "Nodes",
    "Jobs",
    "Account",
    "API tokens",
    "Users",
    "Audit log",
    "Settings",
  ]);
  fireEvent.click(within(nav).getByRole("link", { name: "Users" }));
  await screen.findByRole("heading", { name: "Users" });
  expect(location.pathname).toBe("/admin/users");
  expect(within(nav).getByRole("link", { name: "Users" }).getAttribute("aria-current")).toBe("page");
});

it("an expired session lands on sign-in with the reason", async () => {
  history.replaceState(null, "", "/admin/users");
  mockApi({
    "GET /api/v1/auth/me": { body: { user: user(), via: "session" } },
    "GET /api/v1/users": apiError(401, "session_expired", "Your session has expired; sign in again"),
    "GET /api/v1/setup": { body: { needed: false } },
  });
  render(() => <App />);
  await screen.findByRole("heading", { name: "Sign in to Pylon" });
  expect(screen.getByText("Your session has expired; sign in again.")).toBeTruthy();
  // The address stays, so signing in returns to the same screen.
  expect(location.pathname).toBe("/admin/users");
});

it("says so when the server cannot be reached, with a retry", async () => {
  history.replaceState(null, "", "/account");
  vi.stubGlobal(
    "fetch",
    vi.fn(async () => Promise.reject(new TypeError("Failed to fetch"))),
  );
  render(() => <App />);
  await screen.findByText(/Cannot reach the Pylon server/);
  expect(screen.getByRole("button", { name: "Retry" })).toBeTruthy();
});

it("checks the session again when the tab comes back into view", async () => {
  history.replaceState(null, "", "/account");
  let expired = false;
  mockApi({
    "GET /api/v1/auth/me": () =>
      expired
        ? apiError(401, "session_expired", "Your session has expired; sign in again")
        : { body: { user: user(), via: "session" } },
    "GET /api/v1/setup": { body: { needed: false } },
  });
  render(() => <App />);
  await screen.findByRole("navigation", { name: "Main" });
  expired = true;
  document.dispatchEvent(new Event("visibilitychange"));
  await screen.findByText("Your session has expired; sign in again.");
});
