/** Simulated durations: real seconds multiplied by a scale (0 = instant, 1 = realistic). */
export class Clock {
  constructor(readonly scale: number) {}

  /** Milliseconds a simulated duration really takes. */
  ms(simulatedMs: number): number {
    return Math.max(0, simulatedMs * this.scale);
  }

  /** Waits a simulated duration; rejects when the signal aborts. */
  sleep(simulatedMs: number, signal?: AbortSignal): Promise<void> {
    const real = this.ms(simulatedMs);
    return new Promise((resolve, reject) => {
      if (signal?.aborted) {
        reject(signal.reason);
        return;
      }
      const done = (): void => {
        signal?.removeEventListener("abort", onAbort);
        resolve();
      };
      const timer = real > 0 ? setTimeout(done, real) : undefined;
      const immediate = real > 0 ? undefined : setImmediate(done);
      const onAbort = (): void => {
        if (timer) clearTimeout(timer);
        if (immediate) clearImmediate(immediate);
        reject(signal?.reason);
      };
      signal?.addEventListener("abort", onAbort, { once: true });
    });
  }

  /** A duration picked deterministically inside a range (seeded by a key such as the VMID). */
  pick(minMs: number, maxMs: number, seed: number): number {
    const f = ((seed * 2654435761) % 1000) / 1000;
    return minMs + (maxMs - minMs) * f;
  }
}
