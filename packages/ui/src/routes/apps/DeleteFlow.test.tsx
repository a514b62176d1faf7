// Deleting an app from its page: the user lands on the apps list, which says the app is being
// deleted and then that it is gone; the app's page does not keep asking for a deleted app.
import { cleanup, fireEvent, render, screen, waitFor } from "@solidjs/testing-library";
import { afterEach, expect, it, vi } from "vitest";
import { signedIn, signedOut } from "../../context/session.ts";
import { currentPath, navigate } from "../../router/router.tsx";
import { app } from "../../testing/app-fixtures.ts";
import { stubEventSource } from "../../testing/fake-event-source.ts";
import { apiError, mockApi, node, user } from "../../testing/mock-api.ts";
import { AppPage } from "./AppPage.tsx";
import { Apps } from "./Apps.tsx";

vi.mock("../../components/metrics-plot.ts", () => ({ drawMetrics: vi.fn(() => () => undefined) }));

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
  vi.useRealTimers();
  signedOut();
});

it("after the delete is sent, goes to the apps list, which follows the deletion to its end", async () => {
  signedIn({ user: user({ role: "operator" }), via: "session" });
  stubEventSource();
  navigate("/apps/app_web", { replace: true });
  let listed = [app({ status: "deleting" })];
  const calls = mockApi({
    "GET /api/v1/apps/app_web": { body: app() },
    "GET /api/v1/nodes/node_pve1": { body: { ...node(), inventory: null, inventoryAt: null } },
    "DELETE /api/v1/apps/app_web": { status: 202, body: app({ status: "deleting" }) },
    "GET /api/v1/apps": () => ({ body: { items: listed } }),
    "GET /api/v1/nodes": { body: { items: [node()] } },
  });
  const page = render(() => <AppPage params={{ id: "app_web" }} />);
  await screen.findByRole("heading", { name: "web" });
  fireEvent.click(screen.getByRole("button", { name: "Delete" }));
  fireEvent.input(screen.getByLabelText("Type web to confirm"), { target: { value: "web" } });
  fireEvent.click(screen.getByRole("button", { name: "Delete app" }));
  await waitFor(() => expect(currentPath()).toBe("/apps"));
  expect(calls.some((c) => c.method === "DELETE")).toBe(true);
  page.unmount();

  vi.useFakeTimers({ shouldAdvanceTime: true });
  render(() => <Apps />);
  await screen.findByText(/Deleting “web”: its guest, data and route are being removed/);
  listed = [];
  await vi.advanceTimersByTimeAsync(2500);
  await screen.findByText("“web” is deleted: its guest, data and route are gone.");
  expect(screen.queryByText("App not found")).toBeNull();
});

it("stops asking for an app that is not found", async () => {
  signedIn({ user: user({ role: "viewer" }), via: "session" });
  vi.useFakeTimers({ shouldAdvanceTime: true });
  const calls = mockApi({ "GET /api/v1/apps/app_gone": apiError(404, "not_found", "App not found") });
  render(() => <AppPage params={{ id: "app_gone" }} />);
  await screen.findByRole("heading", { name: "App not found" });
  await vi.advanceTimersByTimeAsync(60_000);
  expect(calls.filter((c) => c.url.pathname === "/api/v1/apps/app_gone")).toHaveLength(1);
});
