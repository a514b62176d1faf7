import { onCleanup } from "solid-js";

/**
 * Calls `fn` every `intervalMs()` while the tab is visible (the interval may change between runs,
 * e.g. faster while a node is coming online); stops with the owning component.
 */
export function createPoll(fn: () => unknown, intervalMs: () => number): void {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const tick = () => {
    if (document.visibilityState !== "hidden") fn();
    timer = setTimeout(tick, intervalMs());
  };
  timer = setTimeout(tick, intervalMs());
  onCleanup(() => clearTimeout(timer));
}
