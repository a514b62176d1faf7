import { cleanup, fireEvent, render, screen, waitFor } from "@solidjs/testing-library";
import { afterEach, expect, it, vi } from "vitest";
import { app } from "../../testing/app-fixtures.ts";
import { stubEventSource } from "../../testing/fake-event-source.ts";
import { mockApi } from "../../testing/mock-api.ts";
import { AppLogs } from "./AppLogs.tsx";

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

const shown = () =>
  [...screen.getByRole("log", { name: "Container logs" }).querySelectorAll(".log-line span")].map(
    (s) => s.textContent,
  );

it("follows the container logs live, pauses (closing the stream) and follows again", async () => {
  const ES = stubEventSource();
  render(() => <AppLogs app={app()} />);
  const es = ES.latest();
  expect(es.url).toBe("/api/v1/apps/app_web/logs?follow=true&tail=200");
  es.open();
  es.emit("job", { jobId: "job_logs" });
  // Lines are plain text on the wire.
  es.emitText("line", "GET / 200");
  es.emitText("line", "GET /favicon.ico 404");
  es.emitText("notice", "12 lines dropped");
  await screen.findByText("Following live; new lines appear as they are written.");
  expect(shown()).toEqual(["GET / 200", "GET /favicon.ico 404", "12 lines dropped"]);

  fireEvent.click(screen.getByRole("button", { name: "Pause" }));
  expect(es.readyState).toBe(ES.CLOSED);
  fireEvent.click(screen.getByRole("button", { name: "Follow again" }));
  expect(ES.all).toHaveLength(2);
  // The new stream sends the tail again: the screen starts over rather than repeating lines.
  expect(screen.queryByText("GET / 200")).toBeNull();
});

it("says when the stream ended, and offers to reconnect after a lost connection", async () => {
  const ES = stubEventSource();
  render(() => <AppLogs app={app()} />);
  const es = ES.latest();
  es.emit("job", { jobId: "job_logs" });
  es.emit("end", { status: "failed", error: "the app's containers are gone" });
  await screen.findByText("The stream ended: the app's containers are gone");
  fireEvent.click(screen.getByRole("button", { name: "Reconnect" }));
  const again = ES.latest();
  again.emit("job", { jobId: "job_logs_2" });
  again.drop();
  await screen.findByText("The connection was lost.");
  // Not reopened behind the reader's back.
  expect(ES.all).toHaveLength(2);
});

it("falls back to the logs diagnostic with Refresh when the stream cannot start", async () => {
  const ES = stubEventSource();
  const calls = mockApi({
    "GET /api/v1/apps/app_web/diagnostics/logs": {
      body: { name: "logs", jobId: "job_d", output: "web-1 | ready" },
    },
  });
  render(() => <AppLogs app={app()} />);
  ES.latest().drop(true);
  await screen.findByText("web-1 | ready");
  fireEvent.click(screen.getByRole("button", { name: "Refresh" }));
  await waitFor(() => expect(calls).toHaveLength(2));
});
