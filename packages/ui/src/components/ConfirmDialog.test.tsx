import { cleanup, fireEvent, render, screen } from "@solidjs/testing-library";
import { afterEach, expect, it, vi } from "vitest";
import { ApiError } from "../api/client.ts";
import { ConfirmDialog } from "./ConfirmDialog.tsx";

afterEach(cleanup);

function renderDialog(error: ApiError | null = null) {
  const onConfirm = vi.fn();
  const onCancel = vi.fn();
  render(() => (
    <ConfirmDialog
      title="Delete user Vera?"
      confirmLabel="Delete Vera"
      busy={false}
      error={error}
      onConfirm={onConfirm}
      onCancel={onCancel}
    >
      <p>Vera will no longer sign in.</p>
    </ConfirmDialog>
  ));
  return { onConfirm, onCancel };
}

it("is a labelled modal that starts on Cancel, and Escape cancels", () => {
  const { onCancel, onConfirm } = renderDialog();
  const dialog = screen.getByRole("dialog", { name: "Delete user Vera?" });
  expect(dialog.getAttribute("aria-modal")).toBe("true");
  expect(document.activeElement).toBe(screen.getByRole("button", { name: "Cancel" }));
  fireEvent.keyDown(dialog, { key: "Escape" });
  expect(onCancel).toHaveBeenCalled();
  fireEvent.click(screen.getByRole("button", { name: "Delete Vera" }));
  expect(onConfirm).toHaveBeenCalled();
});

it("keeps the error of a failed action inside the dialog", () => {
  renderDialog(new ApiError(409, "conflict", "This is the last active admin; make another admin first"));
  expect(screen.getByRole("dialog").textContent).toContain("last active admin");
});

it("keeps Tab inside the dialog", () => {
  renderDialog();
  const cancel = screen.getByRole("button", { name: "Cancel" });
  const confirm = screen.getByRole("button", { name: "Delete Vera" });
  const dialog = screen.getByRole("dialog");
  confirm.focus();
  fireEvent.keyDown(dialog, { key: "Tab" });
  expect(document.activeElement).toBe(cancel);
  fireEvent.keyDown(dialog, { key: "Tab", shiftKey: true });
  expect(document.activeElement).toBe(confirm);
});
