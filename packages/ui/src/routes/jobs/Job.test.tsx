import type { JobEvent } from "@pylon/shared";
import { cleanup, fireEvent, render, screen, waitFor } from "@solidjs/testing-library";
import { afterEach, beforeEach, expect, it, vi } from "vitest";
import { signedIn, signedOut } from "../../context/session.ts";
import { FakeEventSource, stubEventSource } from "../../testing/fake-event-source.ts";
import { job, mockApi, node, user } from "../../testing/mock-api.ts";
import { Job } from "./Job.tsx";

beforeEach(() => {
  stubEventSource();
  signedIn({ user: user({ role: "operator" }), via: "session" });
});
afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
  vi.useRealTimers();
  signedOut();
});

const ev = (seq: number, event: JobEvent["event"]): JobEvent => ({
  seq,
  at: "2026-11-21T10:00:02.000Z",
  event,
});
const log = (seq: number, message: string) => ev(seq, { kind: "log", level: "info", message });

it("shows steps, progress and log lines as they arrive, each once across a reconnect", async () => {
  mockApi({
    "GET /api/v1/nodes/node_pve1": {
      body: { ...node({ simulated: true }), inventory: null, inventoryAt: null },
    },
  });
  render(() => <Job params={{ id: "job_1" }} />);
  const es = FakeEventSource.latest();
  expect(es.url).toBe("/api/v1/jobs/job_1/stream");
  es.open();
  es.emit("job", job());
  es.emit("event", ev(1, { kind: "step", step: "start guest", status: "started" }), "1");
  es.emit("event", log(2, "line one"), "2");
  es.emit("event", ev(3, { kind: "progress", percent: 30, message: "booting" }), "3");
  await screen.findByText("line one");
  expect(screen.getByRole("progressbar").getAttribute("aria-valuenow")).toBe("30");
  expect(await screen.findByText("Simulated")).toBeTruthy();

  // The browser reconnects by itself (Last-Event-ID); a replayed event is not shown twice.
  es.drop();
  await screen.findByText(/reconnecting/);
  es.open();
  es.emit("event", log(2, "line one"), "2");
  es.emit("event", log(4, "line two"), "4");
  await screen.findByText("line two");
  expect(screen.getAllByText("line one")).toHaveLength(1);
  expect(screen.queryByText(/reconnecting/)).toBeNull();
});

it("reopens with ?after=<last seq> when the browser gives up on the stream", async () => {
  vi.useFakeTimers({ shouldAdvanceTime: true });
  mockApi({
    "GET /api/v1/jobs/job_1": { body: job() },
    "GET /api/v1/nodes/node_pve1": { body: { ...node(), inventory: null, inventoryAt: null } },
  });
  render(() => <Job params={{ id: "job_1" }} />);
  const first = FakeEventSource.latest();
  first.open();
  first.emit("job", job());
  first.emit("event", log(1, "before the cut"), "1");
  first.emit("event", log(2, "still before"), "2");
  first.drop(true);
  await vi.advanceTimersByTimeAsync(600);
  await waitFor(() => expect(FakeEventSource.all).toHaveLength(2));
  const second = FakeEventSource.latest();
  expect(second.url).toBe("/api/v1/jobs/job_1/stream?after=2");
  second.open();
  second.emit("event", log(3, "after the cut"), "3");
  await screen.findByText("after the cut");
  expect(first.readyState).toBe(FakeEventSource.CLOSED);
});

it("highlights the failing step with its error and stops offering cancel", async () => {
  mockApi({ "GET /api/v1/nodes/node_pve1": { body: { ...node(), inventory: null, inventoryAt: null } } });
  render(() => <Job params={{ id: "job_1" }} />);
  const es = FakeEventSource.latest();
  es.open();
  es.emit("job", job());
  await screen.findByRole("button", { name: "Cancel job" });
  es.emit("event", ev(1, { kind: "step", step: "check guest", status: "succeeded" }), "1");
  es.emit("event", ev(2, { kind: "step", step: "start guest", status: "started" }), "2");
  es.emit("event", ev(3, { kind: "step", step: "start guest", status: "failed" }), "3");
  es.emit(
    "event",
    ev(4, { kind: "result", status: "failed", error: { message: "CT 101 is locked", step: "start guest" } }),
    "4",
  );
  es.emit("end", job({ status: "failed", error: "start guest: CT 101 is locked" }));
  const failing = await waitFor(() => {
    const el = document.querySelector(".step-failing");
    if (!el) throw new Error("no failing step");
    return el;
  });
  expect(failing.getAttribute("data-step")).toBe("start guest");
  // The error once, at the top of the page.
  expect(screen.getByRole("alert").textContent).toBe("Failed: CT 101 is locked");
  expect(document.body.textContent?.split("CT 101 is locked")).toHaveLength(2);
  expect(document.querySelector('[data-step="check guest"]')?.classList.contains("step-failing")).toBe(false);
  expect(screen.queryByRole("button", { name: "Cancel job" })).toBeNull();
  expect(es.readyState).toBe(FakeEventSource.CLOSED);
});

it("cancels with progress on the button, and a viewer gets no cancel button", async () => {
  let release: () => void = () => {};
  const calls = mockApi({
    "GET /api/v1/nodes/node_pve1": { body: { ...node(), inventory: null, inventoryAt: null } },
    "POST /api/v1/jobs/job_1/cancel": () =>
      new Promise((r) => {
        release = () => r({ body: job({ cancelRequested: true, updatedAt: "2026-11-21T10:00:05.000Z" }) });
      }),
  });
  render(() => <Job params={{ id: "job_1" }} />);
  const es = FakeEventSource.latest();
  es.open();
  es.emit("job", job());
  fireEvent.click(await screen.findByRole("button", { name: "Cancel job" }));
  await screen.findByRole("button", { name: "Cancelling…" });
  release();
  await screen.findByRole("button", { name: "Cancel requested" });
  expect(calls.some((c) => c.method === "POST" && c.url.pathname === "/api/v1/jobs/job_1/cancel")).toBe(true);
  cleanup();

  signedIn({ user: user({ role: "viewer" }), via: "session" });
  render(() => <Job params={{ id: "job_1" }} />);
  FakeEventSource.latest().emit("job", job());
  await screen.findByText("Guest power: start 101");
  expect(screen.queryByRole("button", { name: /Cancel/ })).toBeNull();
});

it("says when there is no such job", async () => {
  mockApi({});
  render(() => <Job params={{ id: "job_missing" }} />);
  FakeEventSource.latest().drop(true);
  await screen.findByText("Not found");
});
