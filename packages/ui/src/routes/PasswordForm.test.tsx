import { cleanup, fireEvent, render, screen } from "@solidjs/testing-library";
import { afterEach, expect, it, vi } from "vitest";
import { apiError, mockApi } from "../testing/mock-api.ts";
import { PasswordForm } from "./PasswordForm.tsx";

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

function fill(current: string, next: string, confirm = next) {
  fireEvent.input(screen.getByLabelText("Current password"), { target: { value: current } });
  fireEvent.input(screen.getByLabelText("New password"), { target: { value: next } });
  fireEvent.input(screen.getByLabelText("Confirm new password"), { target: { value: confirm } });
  fireEvent.click(screen.getByRole("button", { name: "Change password" }));
}

it("checks the confirmation before asking the API", () => {
  const calls = mockApi({});
  render(() => <PasswordForm />);
  fill("old password", "a new long password", "something else");
  expect(screen.getByText("does not match the new password")).toBeTruthy();
  expect(calls).toHaveLength(0);
});

it("flags a too-short new password even when the confirmation does not match", () => {
  const calls = mockApi({});
  render(() => <PasswordForm />);
  fill("old password", "short", "other");
  expect(screen.getByText("does not match the new password")).toBeTruthy();
  expect(screen.getByText("must be at least 12 characters")).toBeTruthy();
  expect(calls).toHaveLength(0);
});

it("shows a wrong current password under its field, then succeeds and clears the form", async () => {
  let wrong = true;
  const calls = mockApi({
    "POST /api/v1/auth/password": () =>
      wrong
        ? apiError(400, "validation_failed", "The current password is wrong", [
            { path: "currentPassword", message: "is wrong" },
          ])
        : { status: 204 },
  });
  render(() => <PasswordForm />);
  fill("not it", "a new long password");
  await screen.findByText("is wrong");
  expect(screen.getByLabelText("Current password").getAttribute("aria-invalid")).toBe("true");
  expect(screen.getByText("Please correct the fields marked below.")).toBeTruthy();
  wrong = false;
  fill("the old password", "a new long password");
  await screen.findByText("Password changed. Your other sessions have been signed out.");
  expect((screen.getByLabelText("New password") as HTMLInputElement).value).toBe("");
  expect(calls.at(-1)?.body).toEqual({
    currentPassword: "the old password",
    newPassword: "a new long password",
  });
});
