import { cleanup, fireEvent, render, screen } from "@solidjs/testing-library";
import { createSignal } from "solid-js";
import { afterEach, expect, it, vi } from "vitest";
import { Button } from "./Button.tsx";

afterEach(cleanup);

it("shows progress and refuses clicks while busy", () => {
  const [busy, setBusy] = createSignal(false);
  const click = vi.fn();
  render(() => (
    <Button onClick={click} busy={busy()} busyLabel="Saving…">
      Save
    </Button>
  ));
  const button = screen.getByRole("button", { name: "Save" });
  fireEvent.click(button);
  expect(click).toHaveBeenCalledTimes(1);
  setBusy(true);
  expect(button.textContent).toBe("Saving…");
  expect(button.getAttribute("aria-busy")).toBe("true");
  expect((button as HTMLButtonElement).disabled).toBe(true);
  setBusy(false);
  expect(screen.getByRole("button", { name: "Save" })).toBe(button);
});
