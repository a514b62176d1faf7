import { cleanup, fireEvent, render, screen, waitFor, within } from "@solidjs/testing-library";
import { afterEach, expect, it, vi } from "vitest";
import { drawMetrics } from "../../components/metrics-plot.ts";
import { signedIn, signedOut } from "../../context/session.ts";
import { app } from "../../testing/app-fixtures.ts";
import { stubEventSource } from "../../testing/fake-event-source.ts";
import { job, mockApi, node, user } from "../../testing/mock-api.ts";
import { AppPage } from "./AppPage.tsx";

// The uPlot side draws on a canvas jsdom lacks; the test checks what it is given.
vi.mock("../../components/metrics-plot.ts", () => ({ drawMetrics: vi.fn(() => () => undefined) }));

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
  signedOut();
});

function api(extra: Parameters<typeof mockApi>[0] = {}) {
  return mockApi({
    "GET /api/v1/apps/app_web": { body: app() },
    "GET /api/v1/nodes/node_pve1": { body: { ...node(), inventory: null, inventoryAt: null } },
    "GET /api/v1/jobs/job_deploy": { body: job({ id: "job_deploy", kind: "app.deploy" }) },
    ...extra,
  });
}

const ACTIONS = ["Stop", "Restart", "Redeploy", "Clone", "Resize", "Delete"];

it("shows a viewer the app and its live deploy, but no action and no operator tab", async () => {
  signedIn({ user: user({ role: "viewer" }), via: "session" });
  stubEventSource();
  api();
  render(() => <AppPage params={{ id: "app_web" }} />);
  await screen.findByRole("heading", { name: "web" });
  const link = screen.getByRole("link", { name: /web\.apps\.example\.com/ });
  expect(link.getAttribute("href")).toBe("https://web.apps.example.com");
  expect(link.getAttribute("target")).toBe("_blank");
  expect(screen.getByTestId("guest").textContent).toContain("LXC container 120 at 10.0.0.20");
  for (const name of ACTIONS) expect(screen.queryByRole("button", { name })).toBeNull();
  const tabs = within(screen.getByRole("tablist", { name: "App sections" }))
    .getAllByRole("tab")
    .map((t) => t.textContent);
  expect(tabs).toEqual(["Activity", "Metrics", "Backups", "Snapshots", "History"]);
});

it("gives an operator the actions and tabs, and follows the deploy job live to its failing step", async () => {
  signedIn({ user: user({ role: "operator" }), via: "session" });
  const ES = stubEventSource();
  const calls = api({
    "POST /api/v1/apps/app_web/actions": {
      status: 202,
      body: app({ status: "running", lastJobId: "job_stop" }),
    },
    "GET /api/v1/jobs/job_stop": { body: job({ id: "job_stop", kind: "app.action" }) },
  });
  render(() => <AppPage params={{ id: "app_web" }} />);
  await screen.findByRole("heading", { name: "web" });
  for (const name of ACTIONS) expect(screen.getByRole("button", { name })).toBeTruthy();
  expect(
    within(screen.getByRole("tablist"))
      .getAllByRole("tab")
      .map((t) => t.textContent),
  ).toEqual(["Activity", "Metrics", "Logs", "Diagnostics", "Backups", "Snapshots", "History", "Settings"]);

  // The deploy streams in: steps, log, then the failure on its step.
  await waitFor(() => expect(ES.latest().url).toBe("/api/v1/jobs/job_deploy/stream"));
  const es = ES.latest();
  es.open();
  es.emit("job", job({ id: "job_deploy", kind: "app.deploy", params: { name: "web", mode: "create" } }));
  es.emit("event", {
    seq: 1,
    at: "2026-11-21T10:00:02.000Z",
    event: { kind: "step", step: "guest", status: "succeeded" },
  });
  es.emit("event", {
    seq: 2,
    at: "2026-11-21T10:00:03.000Z",
    event: { kind: "log", level: "info", message: "pulling nginx:1.27.3-alpine" },
  });
  es.emit("event", {
    seq: 3,
    at: "2026-11-21T10:00:04.000Z",
    event: { kind: "step", step: "health", status: "failed" },
  });
  es.emit(
    "end",
    job({
      id: "job_deploy",
      kind: "app.deploy",
      status: "failed",
      error: "health check timed out",
      params: { name: "web" },
    }),
  );
  expect(await screen.findByText("pulling nginx:1.27.3-alpine")).toBeTruthy();
  const failing = document.querySelector(".step-failing");
  expect(failing?.getAttribute("data-step")).toBe("health");
  expect(screen.getByRole("alert").textContent).toContain("health check timed out");
  expect(screen.getByRole("heading", { name: /Last job: App deploy: web/ })).toBeTruthy();

  // Stop: the answer names a new job, which the page then follows.
  fireEvent.click(screen.getByRole("button", { name: "Stop" }));
  await waitFor(() => expect(ES.latest().url).toBe("/api/v1/jobs/job_stop/stream"));
  expect(calls.find((c) => c.method === "POST")?.body).toEqual({ action: "stop" });
});

it("shows the app guest's CPU and memory over time in the Metrics tab", async () => {
  signedIn({ user: user({ role: "viewer" }), via: "session" });
  stubEventSource();
  const sample = (at: string, cpu: number) => ({
    at,
    cpu,
    memUsed: 128 * 2 ** 20,
    memTotal: 512 * 2 ** 20,
    diskUsed: 2 ** 30,
    diskTotal: 4 * 2 ** 30,
    netIn: 5000,
    netOut: 3000,
  });
  const items = [sample("2026-11-21T10:00:00.000Z", 0.1), sample("2026-11-21T10:01:00.000Z", 0.3)];
  const calls = api({ "GET /api/v1/apps/app_web/metrics": { body: { items } } });
  render(() => <AppPage params={{ id: "app_web" }} />);
  await screen.findByRole("heading", { name: "web" });
  fireEvent.click(screen.getByRole("tab", { name: "Metrics" }));
  expect(await screen.findByRole("heading", { name: /Usage over the last 24 hours/ })).toBeTruthy();
  const chart = await screen.findByRole("img", { name: /CPU, memory and storage use over time/ });
  // The chart spans the 24 hours its title names, whatever the samples span.
  await waitFor(() =>
    expect(drawMetrics).toHaveBeenCalledWith(chart, items, {
      from: expect.any(Number),
      to: expect.any(Number),
    }),
  );
  const window = vi.mocked(drawMetrics).mock.calls.at(-1)?.[2];
  expect((window?.to ?? 0) - (window?.from ?? 0)).toBe(24 * 3600_000);
  expect(Math.abs((window?.to ?? 0) - Date.now())).toBeLessThan(60_000);
  const asked = calls.find((c) => c.url.pathname === "/api/v1/apps/app_web/metrics");
  expect(asked?.url.searchParams.get("since")).toMatch(/^\d{4}-\d\d-\d\dT/);
});

it("says so when the app has no figures yet", async () => {
  signedIn({ user: user({ role: "viewer" }), via: "session" });
  stubEventSource();
  api({ "GET /api/v1/apps/app_web/metrics": { body: { items: [] } } });
  render(() => <AppPage params={{ id: "app_web" }} />);
  await screen.findByRole("heading", { name: "web" });
  fireEvent.click(screen.getByRole("tab", { name: "Metrics" }));
  expect(await screen.findByText(/No figures yet/)).toBeTruthy();
});
