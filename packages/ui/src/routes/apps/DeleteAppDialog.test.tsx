import { cleanup, fireEvent, render, screen, waitFor } from "@solidjs/testing-library";
import { afterEach, expect, it, vi } from "vitest";
import { app } from "../../testing/app-fixtures.ts";
import { apiError, mockApi } from "../../testing/mock-api.ts";
import { DeleteAppDialog } from "./DeleteAppDialog.tsx";

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

it("deletes only once the app's name is typed, keeping backups when asked", async () => {
  const calls = mockApi({
    "DELETE /api/v1/apps/app_web": { status: 202, body: app({ status: "deleting" }) },
  });
  const onDone = vi.fn();
  render(() => <DeleteAppDialog app={app()} onClose={() => {}} onDone={onDone} />);
  const button = screen.getByRole("button", { name: "Delete app" }) as HTMLButtonElement;
  expect(button.disabled).toBe(true);
  const confirm = screen.getByLabelText("Type web to confirm");
  fireEvent.input(confirm, { target: { value: "we" } });
  expect(button.disabled).toBe(true);
  // Submitting with Enter does nothing either while the name is wrong.
  fireEvent.submit(confirm.closest("form") as HTMLFormElement);
  expect(calls).toHaveLength(0);
  fireEvent.input(confirm, { target: { value: "web" } });
  expect(button.disabled).toBe(false);
  fireEvent.click(screen.getByLabelText("Keep the app's backups"));
  fireEvent.click(button);
  await waitFor(() => expect(onDone).toHaveBeenCalledWith(expect.objectContaining({ status: "deleting" })));
  expect(calls[0]?.method).toBe("DELETE");
  expect(calls[0]?.url.searchParams.get("keepBackups")).toBe("true");
});

it("keeps the dialog open with the API's error", async () => {
  mockApi({ "DELETE /api/v1/apps/app_web": apiError(409, "conflict", "The app is busy deploying") });
  const onDone = vi.fn();
  render(() => <DeleteAppDialog app={app()} onClose={() => {}} onDone={onDone} />);
  fireEvent.input(screen.getByLabelText("Type web to confirm"), { target: { value: "web" } });
  fireEvent.click(screen.getByRole("button", { name: "Delete app" }));
  expect((await screen.findByRole("alert")).textContent).toContain("The app is busy deploying");
  expect(screen.getByRole("dialog")).toBeTruthy();
  expect(onDone).not.toHaveBeenCalled();
});
