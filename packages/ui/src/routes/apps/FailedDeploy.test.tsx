// A failed first deploy's page, as the agent reports one: steps done before the failure are
// undone, the failing step is highlighted, the error is shown once, the bar is red, and Clone
// (which the API refuses without a guest) is disabled.
import { cleanup, render, screen, waitFor } from "@solidjs/testing-library";
import { afterEach, expect, it, vi } from "vitest";
import { signedIn, signedOut } from "../../context/session.ts";
import { app } from "../../testing/app-fixtures.ts";
import { stubEventSource } from "../../testing/fake-event-source.ts";
import { job, mockApi, node, user } from "../../testing/mock-api.ts";
import { AppPage } from "./AppPage.tsx";

vi.mock("../../components/metrics-plot.ts", () => ({ drawMetrics: vi.fn(() => () => undefined) }));

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
  signedOut();
});

const URL_ERR =
  "git clone exited 128: fatal: unable to access 'https://git.example.invalid/some-organisation/a-repository-whose-name-goes-on-and-on.git/': Could not resolve host";

it("shows a failed deploy's error once, its undone steps undone, a red bar and Clone disabled", async () => {
  signedIn({ user: user({ role: "operator" }), via: "session" });
  const ES = stubEventSource();
  const failed = app({
    status: "failed",
    url: null,
    guest: { type: "lxc", vmid: null, address: null },
    lastJobId: "job_deploy",
    lastError: `fetch: fetch failed: ${URL_ERR}`,
  });
  mockApi({
    "GET /api/v1/apps/app_web": { body: failed },
    "GET /api/v1/nodes/node_pve1": { body: { ...node(), inventory: null, inventoryAt: null } },
  });
  render(() => <AppPage params={{ id: "app_web" }} />);
  await screen.findByRole("heading", { name: "web" });
  await waitFor(() => expect(ES.latest().url).toBe("/api/v1/jobs/job_deploy/stream"));
  const es = ES.latest();
  es.open();
  es.emit("job", job({ id: "job_deploy", kind: "app.deploy", params: { name: "web", mode: "create" } }));
  let seq = 0;
  const ev = (event: object) => es.emit("event", { seq: ++seq, at: "2026-11-21T10:00:02.000Z", event });
  ev({ kind: "progress", percent: 0, message: "reserve" });
  ev({ kind: "step", step: "reserve", status: "succeeded", message: "VMID 101" });
  ev({ kind: "step", step: "create", status: "succeeded", message: "CT 101" });
  ev({ kind: "step", step: "start", status: "succeeded", message: "CT 101 running" });
  ev({ kind: "progress", percent: 45, message: "fetch" });
  ev({ kind: "step", step: "fetch", status: "failed", message: URL_ERR });
  ev({ kind: "step", step: "start", status: "undone" });
  ev({ kind: "step", step: "create", status: "undone" });
  ev({ kind: "step", step: "reserve", status: "undone" });
  es.emit(
    "end",
    job({
      id: "job_deploy",
      kind: "app.deploy",
      status: "failed",
      error: `fetch: fetch failed: ${URL_ERR}`,
      params: { name: "web", mode: "create" },
    }),
  );
  await screen.findByText(/45 % · fetch/);
  // The error once on the whole page (the summary's alert), not again at the step or the job.
  await waitFor(() =>
    expect(document.querySelector(".step-failing")?.getAttribute("data-step")).toBe("fetch"),
  );
  const copies = document.body.textContent?.split("Could not resolve host").length ?? 0;
  expect(copies - 1).toBe(1);
  expect(screen.getAllByRole("alert")).toHaveLength(1);
  // Nothing still shows done: every step before the failure was undone.
  for (const step of ["reserve", "create", "start"]) {
    const li = document.querySelector(`.step[data-step="${step}"]`);
    expect(li?.className, step).toContain("step-undone");
  }
  expect(document.querySelector('.step[data-step="fetch"]')?.className).toContain("step-failed");
  expect(screen.getByRole("progressbar").className).toContain("progress-failed");
  expect((screen.getByRole("button", { name: "Clone" }) as HTMLButtonElement).disabled).toBe(true);
  expect((screen.getByRole("button", { name: "Redeploy" }) as HTMLButtonElement).disabled).toBe(false);
  expect(screen.getByTestId("guest").textContent).toBe("LXC container (none)");
});

it("shows the guest while the deploy runs, once the API knows it", async () => {
  signedIn({ user: user({ role: "viewer" }), via: "session" });
  stubEventSource();
  mockApi({
    "GET /api/v1/apps/app_web": {
      body: app({ status: "deploying", url: null, guest: { type: "lxc", vmid: 131, address: "10.0.0.31" } }),
    },
    "GET /api/v1/nodes/node_pve1": { body: { ...node(), inventory: null, inventoryAt: null } },
  });
  render(() => <AppPage params={{ id: "app_web" }} />);
  await screen.findByRole("heading", { name: "web" });
  expect(screen.getByTestId("guest").textContent).toBe("LXC container 131 at 10.0.0.31 (being set up)");
});
