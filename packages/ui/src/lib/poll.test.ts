import { createRoot, createSignal } from "solid-js";
import { afterEach, expect, it, vi } from "vitest";
import { createPoll } from "./poll.ts";

afterEach(() => vi.useRealTimers());

it("calls again at the new interval as soon as it changes, and stops with its owner", () => {
  vi.useFakeTimers();
  const fn = vi.fn();
  const [fast, setFast] = createSignal(false);
  const dispose = createRoot((d) => {
    createPoll(fn, () => (fast() ? 1000 : 30_000));
    return d;
  });
  vi.advanceTimersByTime(5000);
  expect(fn).not.toHaveBeenCalled();
  setFast(true); // a node started waiting: no need to sit out the 30 s
  vi.advanceTimersByTime(1000);
  expect(fn).toHaveBeenCalledTimes(1);
  vi.advanceTimersByTime(3000);
  expect(fn).toHaveBeenCalledTimes(4);
  dispose();
  vi.advanceTimersByTime(10_000);
  expect(fn).toHaveBeenCalledTimes(4);
});
