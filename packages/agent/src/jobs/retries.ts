/** First pause before frames the control plane could not take are sent again; doubles to the max. */
const RETRY_FIRST_MS = 1000;
const RETRY_MAX_MS = 30_000;

/**
 * One pending resend per job at most, after a pause that doubles while the control plane keeps
 * asking for one and starts over once it acknowledges the job again.
 */
export class RetrySchedule {
  #jobs = new Map<string, { timer: NodeJS.Timeout | undefined; delayMs: number }>();

  /** Runs `fn` for `jobId` after the job's next pause, unless a run is already pending. */
  schedule(jobId: string, fn: () => void): void {
    const prev = this.#jobs.get(jobId);
    if (prev?.timer) return;
    const delayMs = prev ? Math.min(RETRY_MAX_MS, prev.delayMs * 2) : RETRY_FIRST_MS;
    const timer = setTimeout(() => {
      this.#jobs.set(jobId, { timer: undefined, delayMs });
      fn();
    }, delayMs);
    timer.unref?.();
    this.#jobs.set(jobId, { timer, delayMs });
  }

  /** The job is being taken again: its next pause is the first one (a pending run stays). */
  reset(jobId: string): void {
    if (!this.#jobs.get(jobId)?.timer) this.#jobs.delete(jobId);
  }

  /** Forgets the job, pending run included. */
  cancel(jobId: string): void {
    clearTimeout(this.#jobs.get(jobId)?.timer);
    this.#jobs.delete(jobId);
  }

  /** Cancels every pending run. */
  stop(): void {
    for (const id of [...this.#jobs.keys()]) this.cancel(id);
  }
}
