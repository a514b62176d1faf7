import { cleanup, fireEvent, render, screen, waitFor } from "@solidjs/testing-library";
import { afterEach, beforeEach, expect, it, vi } from "vitest";
import { session } from "../context/session.ts";
import { apiError, mockApi, user } from "../testing/mock-api.ts";
import { SignIn } from "./SignIn.tsx";

beforeEach(() => vi.useFakeTimers({ shouldAdvanceTime: true }));
afterEach(() => {
  cleanup();
  vi.useRealTimers();
  vi.unstubAllGlobals();
});

function fill(email: string, password: string) {
  fireEvent.input(screen.getByLabelText("Email"), { target: { value: email } });
  fireEvent.input(screen.getByLabelText("Password"), { target: { value: password } });
  fireEvent.click(screen.getByRole("button", { name: "Sign in" }));
}

it("shows why the user is here", () => {
  mockApi({ "GET /api/v1/setup": { body: { needed: false } } });
  render(() => <SignIn notice="Your session has expired; sign in again." />);
  expect(screen.getByRole("status").textContent).toBe("Your session has expired; sign in again.");
});

it("says the email or password is wrong, and clears the password", async () => {
  mockApi({
    "GET /api/v1/setup": { body: { needed: false } },
    "POST /api/v1/auth/login": apiError(401, "unauthenticated", "Invalid email or password"),
  });
  render(() => <SignIn notice={null} />);
  fill("ada@example.com", "wrong");
  await screen.findByText("Invalid email or password");
  expect((screen.getByLabelText("Password") as HTMLInputElement).value).toBe("");
});

it("counts down a throttled sign-in and holds the button until then", async () => {
  mockApi({
    "GET /api/v1/setup": { body: { needed: false } },
    "POST /api/v1/auth/login": apiError(429, "too_many_requests", "Too many", undefined, {
      "retry-after": "3",
    }),
  });
  render(() => <SignIn notice={null} />);
  fill("ada@example.com", "wrong");
  await screen.findByText("Too many failed sign-in attempts; try again in 3 seconds.");
  const button = screen.getByRole("button", { name: "Sign in" }) as HTMLButtonElement;
  expect(button.disabled).toBe(true);
  await vi.advanceTimersByTimeAsync(3000);
  await screen.findByText("You can try again now.");
  expect(button.disabled).toBe(false);
});

it("signs in", async () => {
  const calls = mockApi({
    "GET /api/v1/setup": { body: { needed: false } },
    "POST /api/v1/auth/login": { body: { user: user(), via: "session", csrfToken: "t" } },
  });
  render(() => <SignIn notice={null} />);
  fill(" ada@example.com ", "a good long password");
  await waitFor(() => expect(session().kind).toBe("signed-in"));
  expect(calls.find((c) => c.method === "POST")?.body).toEqual({
    email: "ada@example.com",
    password: "a good long password",
  });
});

it("points to the setup link when no account exists yet", async () => {
  mockApi({ "GET /api/v1/setup": { body: { needed: true } } });
  render(() => <SignIn notice={null} />);
  await screen.findByText(/Pylon has no account yet/);
});
