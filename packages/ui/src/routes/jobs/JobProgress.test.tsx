import { cleanup, render, screen } from "@solidjs/testing-library";
import { createSignal } from "solid-js";
import { afterEach, expect, it } from "vitest";
import { JobProgress } from "./JobProgress.tsx";

afterEach(cleanup);

it("names the step running now, not the first one, as progress moves on", () => {
  const [progress, setProgress] = createSignal<{ percent: number; message?: string } | null>({
    percent: 0,
    message: "reserve",
  });
  render(() => <JobProgress progress={progress()} status="running" />);
  expect(screen.getByText(/0 % · reserve/)).toBeTruthy();
  setProgress({ percent: 27, message: "address" });
  expect(screen.getByText(/27 % · address/)).toBeTruthy();
  setProgress({ percent: 45, message: "fetch" });
  expect(screen.getByText(/45 % · fetch/)).toBeTruthy();
  expect(screen.getByRole("progressbar").getAttribute("aria-valuenow")).toBe("45");
});
