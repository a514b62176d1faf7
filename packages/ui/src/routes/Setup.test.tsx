import { cleanup, fireEvent, render, screen, waitFor } from "@solidjs/testing-library";
import { afterEach, expect, it, vi } from "vitest";
import { session, signedOut } from "../context/session.ts";
import { apiError, mockApi, user } from "../testing/mock-api.ts";
import { Setup } from "./Setup.tsx";

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
  signedOut();
});

function fill(password: string, confirm = password) {
  fireEvent.input(screen.getByLabelText("Name"), { target: { value: "Ada" } });
  fireEvent.input(screen.getByLabelText("Email"), { target: { value: "ada@example.com" } });
  fireEvent.input(screen.getByLabelText("Password"), { target: { value: password } });
  fireEvent.input(screen.getByLabelText("Confirm password"), { target: { value: confirm } });
  fireEvent.click(screen.getByRole("button", { name: "Create admin account" }));
}

it("sends the token from the link's fragment, takes it out of the address bar, and signs in", async () => {
  history.replaceState(null, "", "/setup#token=secret123");
  const calls = mockApi({
    "GET /api/v1/setup": { body: { needed: true } },
    "POST /api/v1/setup": { status: 201, body: { user: user(), via: "session", csrfToken: "t" } },
  });
  render(() => <Setup />);
  expect(location.hash).toBe("");
  await screen.findByLabelText("Name");
  fill("a good long password");
  await waitFor(() => expect(session().kind).toBe("signed-in"));
  expect(calls.at(-1)?.body).toMatchObject({ token: "secret123", email: "ada@example.com", name: "Ada" });
  expect(location.pathname).toBe("/");
});

it("checks the confirmation, and shows the API's reasons under the fields and for the link", async () => {
  history.replaceState(null, "", "/setup#token=old");
  mockApi({
    "GET /api/v1/setup": { body: { needed: true } },
    "POST /api/v1/setup": apiError(
      403,
      "forbidden",
      "This setup link is invalid or has expired; restart Pylon for a new one",
    ),
  });
  render(() => <Setup />);
  await screen.findByLabelText("Name");
  fill("a good long password", "another one");
  expect(screen.getByText("does not match the password")).toBeTruthy();
  fill("a good long password");
  await screen.findByText("This setup link is invalid or has expired; restart Pylon for a new one");
});

it("flags a too-short password together with a mismatched confirmation, before asking the API", async () => {
  history.replaceState(null, "", "/setup#token=t");
  const calls = mockApi({ "GET /api/v1/setup": { body: { needed: true } } });
  render(() => <Setup />);
  await screen.findByLabelText("Name");
  fill("short", "shorter");
  expect(screen.getByText("does not match the password")).toBeTruthy();
  expect(screen.getByText("must be at least 12 characters")).toBeTruthy();
  expect(screen.getByLabelText("Password").getAttribute("aria-invalid")).toBe("true");
  expect(calls.filter((c) => c.method === "POST")).toHaveLength(0);
});

it("explains what to do without a link, and when setup is done", async () => {
  history.replaceState(null, "", "/setup");
  mockApi({ "GET /api/v1/setup": { body: { needed: true } } });
  render(() => <Setup />);
  await screen.findByText(/needs the setup link the server printed/);
  cleanup();
  mockApi({ "GET /api/v1/setup": { body: { needed: false } } });
  render(() => <Setup />);
  await screen.findByText("Setup is already complete.");
});

it("picks up a link pasted into the same tab (only the fragment changes)", async () => {
  history.replaceState(null, "", "/setup");
  const calls = mockApi({
    "GET /api/v1/setup": { body: { needed: true } },
    "POST /api/v1/setup": { status: 201, body: { user: user(), via: "session", csrfToken: "t" } },
  });
  render(() => <Setup />);
  await screen.findByText(/needs the setup link the server printed/);
  history.replaceState(null, "", "/setup#token=pasted");
  dispatchEvent(new HashChangeEvent("hashchange"));
  await screen.findByLabelText("Name");
  expect(location.hash).toBe("");
  fill("a good long password");
  await waitFor(() => expect(calls.at(-1)?.body).toMatchObject({ token: "pasted" }));
});
