import { cleanup, render, screen, within } from "@solidjs/testing-library";
import { afterEach, expect, it, vi } from "vitest";
import { signedIn, signedOut } from "../../context/session.ts";
import { app } from "../../testing/app-fixtures.ts";
import { mockApi, node, user } from "../../testing/mock-api.ts";
import { Apps } from "./Apps.tsx";

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
  signedOut();
});

function api() {
  mockApi({
    "GET /api/v1/apps": {
      body: {
        items: [
          app(),
          app({
            id: "app_old",
            name: "old",
            url: "https://old.apps.example.com",
            domain: "old.apps.example.com",
            source: { type: "catalog", catalogId: "nginx", name: "nginx", version: "1.25.0", parameters: {} },
            update: { current: "1.25.0", available: "1.27.3", checkedAt: "2026-12-01T00:00:00.000Z" },
          }),
          app({
            id: "app_db",
            name: "db",
            status: "failed",
            url: null,
            guest: { type: "qemu", vmid: 130, address: null },
          }),
        ],
      },
    },
    "GET /api/v1/nodes": { body: { items: [node()] } },
  });
}

it("lists apps with their status, URL (new tab), node and guest", async () => {
  signedIn({ user: user({ role: "operator" }), via: "session" });
  api();
  render(() => <Apps />);
  const web = await screen.findByRole("row", { name: /web/ });
  expect(within(web).getByTestId("app-status").textContent).toBe("running");
  const url = within(web).getByRole("link", { name: /web\.apps\.example\.com/ });
  expect(url.getAttribute("target")).toBe("_blank");
  expect(await within(web).findByRole("link", { name: "pve1" })).toBeTruthy();
  const db = screen.getByRole("row", { name: /db/ });
  expect(within(db).getByTestId("app-status").textContent).toBe("failed");
  expect(within(db).getByText("VM 130")).toBeTruthy();
  expect(screen.getByRole("link", { name: "Deploy an app" }).getAttribute("href")).toBe("/apps/new");
});

it("badges the apps the last update check found out of date, with both versions", async () => {
  signedIn({ user: user({ role: "viewer" }), via: "session" });
  api();
  render(() => <Apps />);
  const old = await screen.findByRole("row", { name: /old/ });
  expect(within(old).getByText("Update: 1.25.0 → 1.27.3")).toBeTruthy();
  expect(within(screen.getByRole("row", { name: /web/ })).queryByText(/Update:/)).toBeNull();
});

it("offers viewers no deploy button", async () => {
  signedIn({ user: user({ role: "viewer" }), via: "session" });
  api();
  render(() => <Apps />);
  await screen.findByRole("row", { name: /web/ });
  expect(screen.queryByRole("link", { name: "Deploy an app" })).toBeNull();
});
