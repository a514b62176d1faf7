import { cleanup, fireEvent, render, screen, waitFor } from "@solidjs/testing-library";
import { afterEach, expect, it, vi } from "vitest";
import { app } from "../../testing/app-fixtures.ts";
import { mockApi } from "../../testing/mock-api.ts";
import { ResizeDialog } from "./ResizeDialog.tsx";

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

const describedBy = (el: HTMLElement) =>
  (el.getAttribute("aria-describedby") ?? "")
    .split(" ")
    .map((id) => document.getElementById(id)?.textContent ?? "");

it("refuses to shrink the disk and sends only what changed", async () => {
  const calls = mockApi({ "PATCH /api/v1/apps/app_web": { status: 202, body: app() } });
  const onDone = vi.fn();
  render(() => (
    <ResizeDialog
      app={app({ resources: { cores: 1, memoryMb: 512, diskGb: 10, storage: "local-lvm" } })}
      onClose={() => {}}
      onDone={onDone}
    />
  ));
  const resize = screen.getByRole("button", { name: "Resize" }) as HTMLButtonElement;
  const disk = screen.getByLabelText("Disk (GiB)") as HTMLInputElement;
  expect(disk.value).toBe("10");
  // Nothing changed yet: nothing to send.
  expect(resize.disabled).toBe(true);
  fireEvent.input(disk, { target: { value: "8" } });
  expect(describedBy(disk)).toContain("cannot shrink: must be at least the current 10 GiB");
  expect(resize.disabled).toBe(true);
  fireEvent.submit(disk.closest("form") as HTMLFormElement);
  expect(calls).toHaveLength(0);

  fireEvent.input(disk, { target: { value: "20" } });
  fireEvent.input(screen.getByLabelText("CPU cores"), { target: { value: "2" } });
  expect(resize.disabled).toBe(false);
  fireEvent.click(resize);
  await waitFor(() => expect(onDone).toHaveBeenCalled());
  expect(calls[0]?.body).toEqual({ cores: 2, diskGb: 20 });
});
