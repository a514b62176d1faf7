import { createEffect, onCleanup, untrack } from "solid-js";

/**
 * Calls `fn` every `intervalMs()` while the tab is visible, and stops with the owning component.
 * The interval is reactive: when it changes (e.g. faster once a node is waiting for its agent)
 * the next call is rescheduled at once rather than after the old, longer wait.
 */
export function createPoll(fn: () => unknown, intervalMs: () => number): void {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const schedule = (ms: number) => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      if (document.visibilityState !== "hidden") fn();
      schedule(untrack(intervalMs));
    }, ms);
  };
  createEffect(() => schedule(intervalMs()));
  onCleanup(() => clearTimeout(timer));
}
