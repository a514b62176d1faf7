import type { User } from "@pylon/shared";
import { cleanup, fireEvent, render, screen, waitFor, within } from "@solidjs/testing-library";
import { afterEach, beforeEach, expect, it, vi } from "vitest";
import { signedIn } from "../../context/session.ts";
import { apiError, mockApi, user } from "../../testing/mock-api.ts";
import { Users } from "./Users.tsx";

const vera = user({ id: "usr_vera", name: "Vera Viewer", email: "vera@example.com", role: "viewer" });
let items: User[];

beforeEach(() => {
  signedIn({ user: user(), via: "session" });
  items = [user(), vera];
});
afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

it("creates a user and shows a duplicate email under the email field", async () => {
  const calls = mockApi({
    "GET /api/v1/users": () => ({ body: { items } }),
    "POST /api/v1/users": apiError(409, "conflict", "A user with this email already exists"),
  });
  render(() => <Users />);
  await screen.findByText("Vera Viewer");
  fireEvent.click(screen.getByRole("button", { name: "New user" }));
  fireEvent.input(screen.getByLabelText("Name"), { target: { value: "Vera Two" } });
  fireEvent.input(screen.getByLabelText("Email"), { target: { value: "vera@example.com" } });
  fireEvent.change(screen.getByLabelText("Role"), { target: { value: "operator" } });
  fireEvent.input(screen.getByLabelText("Password"), { target: { value: "a user password" } });
  fireEvent.click(screen.getByRole("button", { name: "Create user" }));
  const email = screen.getByLabelText("Email");
  await screen.findAllByText("A user with this email already exists");
  expect(email.getAttribute("aria-invalid")).toBe("true");
  expect(calls.at(-1)?.body).toEqual({
    email: "vera@example.com",
    name: "Vera Two",
    role: "operator",
    password: "a user password",
  });
});

it("asks before deleting, naming the user, and keeps a refusal in the dialog", async () => {
  let refuse = true;
  mockApi({
    "GET /api/v1/users": () => ({ body: { items } }),
    "DELETE /api/v1/users/usr_vera": () => {
      if (refuse) return apiError(409, "conflict", "Refused for the test");
      items = [user()];
      return { status: 204 };
    },
  });
  render(() => <Users />);
  await screen.findByText("Vera Viewer");
  fireEvent.click(screen.getByRole("button", { name: "Delete Vera Viewer" }));
  const dialog = screen.getByRole("dialog", { name: "Delete user Vera Viewer?" });
  expect(dialog.textContent).toContain("vera@example.com");
  fireEvent.click(within(dialog).getByRole("button", { name: "Delete Vera Viewer" }));
  await within(dialog).findByText("Refused for the test");
  refuse = false;
  fireEvent.click(within(dialog).getByRole("button", { name: "Delete Vera Viewer" }));
  await screen.findByText("User Vera Viewer deleted.");
  await waitFor(() => expect(screen.queryByText("vera@example.com")).toBeNull());
});

it("edits the role and sets a new password, sending only what changed", async () => {
  const calls = mockApi({
    "GET /api/v1/users": () => ({ body: { items } }),
    "PATCH /api/v1/users/usr_vera": (c) => {
      items = [user(), { ...vera, role: "operator" }];
      return { body: { ...vera, ...(c.body as object) } };
    },
  });
  render(() => <Users />);
  await screen.findByText("Vera Viewer");
  fireEvent.click(screen.getByRole("button", { name: "Edit Vera Viewer" }));
  const dialog = screen.getByRole("dialog", { name: "Edit Vera Viewer" });
  fireEvent.change(within(dialog).getByLabelText("Role"), { target: { value: "operator" } });
  fireEvent.input(within(dialog).getByLabelText("Reset password"), {
    target: { value: "a brand new password" },
  });
  fireEvent.click(within(dialog).getByRole("button", { name: "Save" }));
  await screen.findByText(/Vera Viewer saved; their new password is set/);
  expect(calls.at(-2)?.body).toEqual({ role: "operator", password: "a brand new password" });
});

it("disables and enables from the row", async () => {
  const calls = mockApi({
    "GET /api/v1/users": () => ({ body: { items } }),
    "PATCH /api/v1/users/usr_vera": () => {
      items = [user(), { ...vera, disabled: true }];
      return { body: items[1] };
    },
  });
  render(() => <Users />);
  fireEvent.click(await screen.findByRole("button", { name: "Disable Vera Viewer" }));
  await screen.findByRole("button", { name: "Enable Vera Viewer" });
  expect(calls.find((c) => c.method === "PATCH")?.body).toEqual({ disabled: true });
});
