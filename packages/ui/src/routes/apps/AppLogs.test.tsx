import { cleanup, fireEvent, render, screen, waitFor } from "@solidjs/testing-library";
import { afterEach, expect, it, vi } from "vitest";
import { rememberCsrfToken } from "../../api/client.ts";
import { app } from "../../testing/app-fixtures.ts";
import { apiError, mockApi, sseStream } from "../../testing/mock-api.ts";
import { AppLogs } from "./AppLogs.tsx";

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

const log = () => screen.getByRole("log", { name: "Container logs" });
const shown = () => [...log().querySelectorAll(".log-line span")].map((s) => s.textContent);
const times = () => [...log().querySelectorAll(".log-line time")].map((t) => t.getAttribute("datetime"));

/** The logs route answering with a fresh stream per request; the streams, in order. */
function logsApi(extra: Parameters<typeof mockApi>[0] = {}) {
  const streams: ReturnType<typeof sseStream>[] = [];
  const calls = mockApi({
    "POST /api/v1/apps/app_web/logs": () => {
      const s = sseStream();
      streams.push(s);
      return { stream: s.stream };
    },
    ...extra,
  });
  return { streams, calls };
}

it("follows the container logs with a POST, each line at the time it was written; pause stops it", async () => {
  rememberCsrfToken("csrf-1");
  const { streams, calls } = logsApi();
  render(() => <AppLogs app={app()} />);
  await waitFor(() => expect(streams).toHaveLength(1));
  const post = calls[0];
  expect(post?.method).toBe("POST");
  expect(post?.body).toEqual({ follow: true, tail: 200 });
  expect(post?.headers["x-csrf-token"]).toBe("csrf-1");
  const s = streams[0]!;
  s.send("job", { jobId: "job_logs" });
  s.send("line", { at: "2026-11-21T09:58:01.000Z", text: "GET / 200" });
  s.send("line", { at: "2026-11-21T09:59:30.500Z", text: "GET /favicon.ico 404" });
  s.send("notice", "12 lines dropped");
  await screen.findByText("Following live; new lines appear as they are written.");
  await waitFor(() => expect(shown()).toEqual(["GET / 200", "GET /favicon.ico 404", "12 lines dropped"]));
  // Lines keep the time Docker recorded, not the time they arrived.
  expect(times().slice(0, 2)).toEqual(["2026-11-21T09:58:01.000Z", "2026-11-21T09:59:30.500Z"]);

  fireEvent.click(screen.getByRole("button", { name: "Pause" }));
  expect(post?.signal?.aborted).toBe(true);
  fireEvent.click(screen.getByRole("button", { name: "Follow again" }));
  await waitFor(() => expect(streams).toHaveLength(2));
  // The new stream sends the tail again: the screen starts over rather than repeating lines.
  expect(screen.queryByText("GET / 200")).toBeNull();
});

it("says when the stream ended, and offers to reconnect after a lost connection", async () => {
  const { streams } = logsApi();
  render(() => <AppLogs app={app()} />);
  await waitFor(() => expect(streams).toHaveLength(1));
  streams[0]!.send("job", { jobId: "job_logs" });
  streams[0]!.send("end", { status: "failed", error: "the app's containers are gone" });
  await screen.findByText("The stream ended: the app's containers are gone");
  fireEvent.click(screen.getByRole("button", { name: "Reconnect" }));
  await waitFor(() => expect(streams).toHaveLength(2));
  streams[1]!.send("job", { jobId: "job_logs_2" });
  await screen.findByText("Following live; new lines appear as they are written.");
  streams[1]!.fail();
  await screen.findByText("The connection was lost.");
  // Not reopened behind the reader's back.
  expect(streams).toHaveLength(2);
});

it("says why the API refused to start the stream", async () => {
  mockApi({
    "POST /api/v1/apps/app_web/logs": apiError(
      409,
      "conflict",
      "App 'web' has no guest yet (status deploying)",
    ),
  });
  render(() => <AppLogs app={app()} />);
  await screen.findByText("App 'web' has no guest yet (status deploying)");
  expect(screen.getByRole("button", { name: "Reconnect" })).toBeTruthy();
});

it("falls back to the logs diagnostic with Refresh when the server cannot stream", async () => {
  const calls = mockApi({
    "POST /api/v1/apps/app_web/diagnostics/logs": {
      body: { name: "logs", jobId: "job_d", output: "web-1 | ready" },
    },
  });
  render(() => <AppLogs app={app()} />);
  await screen.findByText("web-1 | ready");
  fireEvent.click(screen.getByRole("button", { name: "Refresh" }));
  await waitFor(() =>
    expect(calls.filter((c) => c.url.pathname.endsWith("/diagnostics/logs"))).toHaveLength(2),
  );
});
