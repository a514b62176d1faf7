import { createEffect, onCleanup, untrack } from "solid-js";

/**
 * Calls `fn` every `intervalMs()` while the tab is visible, and stops with the owning component.
 * The interval is reactive: when it changes (e.g. faster once a node is waiting for its agent)
 * the next call is rescheduled at once rather than after the old, longer wait. `null` pauses
 * (nothing left to watch, e.g. the thing was deleted) until the interval is a number again.
 */
export function createPoll(fn: () => unknown, intervalMs: () => number | null): void {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const schedule = (ms: number | null) => {
    clearTimeout(timer);
    if (ms === null) return;
    timer = setTimeout(() => {
      if (document.visibilityState !== "hidden") fn();
      schedule(untrack(intervalMs));
    }, ms);
  };
  createEffect(() => schedule(intervalMs()));
  onCleanup(() => clearTimeout(timer));
}
