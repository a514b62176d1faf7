import type { AuditEntry } from "@pylon/shared";
import { cleanup, fireEvent, render, screen, waitFor } from "@solidjs/testing-library";
import { afterEach, expect, it, vi } from "vitest";
import { apiError, mockApi, user } from "../../testing/mock-api.ts";
import { Audit } from "./Audit.tsx";

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

const entry = (i: number, action = "users.create"): AuditEntry => ({
  id: `aud_${i}`,
  at: "2026-11-21T10:00:00.000Z",
  actorType: "user",
  actorId: "usr_ada",
  actorName: "ada@example.com",
  action,
  target: `usr_${i}`,
  result: i % 2 ? "success" : "failure",
  status: i % 2 ? 201 : 409,
  requestId: `req_${i}`,
  ip: "127.0.0.1",
  userAgent: null,
  count: 1,
  lastAt: "2026-11-21T10:00:00.000Z",
});

it("pages with the cursor through Load more", async () => {
  const calls = mockApi({
    "GET /api/v1/users": { body: { items: [user()] } },
    "GET /api/v1/audit": (c) =>
      c.url.searchParams.get("cursor") === "next1"
        ? { body: { items: [entry(3)], nextCursor: null } }
        : { body: { items: [entry(1), entry(2)], nextCursor: "next1" } },
  });
  render(() => <Audit />);
  await screen.findByText("usr_1");
  fireEvent.click(screen.getByRole("button", { name: "Load more" }));
  await screen.findByText("usr_3");
  expect(screen.getByText("usr_1")).toBeTruthy();
  expect(screen.queryByRole("button", { name: "Load more" })).toBeNull();
  expect(
    calls.filter((c) => c.url.pathname === "/api/v1/audit").map((c) => c.url.searchParams.get("cursor")),
  ).toEqual([null, "next1"]);
});

it("sends the filters, and shows a bad filter under its field", async () => {
  const calls = mockApi({
    "GET /api/v1/users": { body: { items: [user()] } },
    "GET /api/v1/audit": (c) =>
      c.url.searchParams.get("target") === "bad"
        ? apiError(400, "validation_failed", "Invalid request query: target is bad", [
            { path: "target", message: "is bad" },
          ])
        : { body: { items: [entry(1, "tokens.create")], nextCursor: null } },
  });
  render(() => <Audit />);
  await screen.findByText("usr_1");
  fireEvent.change(await screen.findByLabelText("Actor"), { target: { value: "usr_ada" } });
  await waitFor(() => expect((screen.getByLabelText("Actor") as HTMLSelectElement).value).toBe("usr_ada"));
  fireEvent.input(screen.getByLabelText("Action"), { target: { value: "tokens." } });
  fireEvent.input(screen.getByLabelText("From"), { target: { value: "2026-11-20T08:30" } });
  fireEvent.click(screen.getByRole("button", { name: "Apply filters" }));
  await waitFor(() => expect(calls.filter((c) => c.url.pathname === "/api/v1/audit").length).toBe(2));
  const q = calls.at(-1)?.url.searchParams;
  expect(q?.get("actor")).toBe("usr_ada");
  expect(q?.get("action")).toBe("tokens.");
  expect(q?.get("since")).toBe(new Date("2026-11-20T08:30").toISOString());
  fireEvent.input(screen.getByLabelText("Target"), { target: { value: "bad" } });
  fireEvent.click(await screen.findByRole("button", { name: "Apply filters" }));
  await screen.findByText("is bad");
  expect(screen.getByLabelText("Target").getAttribute("aria-invalid")).toBe("true");
});
