/**
 * Reconnect delays: exponential with FULL jitter (delay = random × min(cap, base × 2^n)), so a
 * fleet of agents cut at the same moment does not reconnect in lockstep. The attempt count
 * resets only after a link has stayed up `minUptimeMs`, so a server that accepts and then drops
 * every connection still sees growing delays (partysocket's rule).
 */
export interface BackoffOptions {
  baseMs?: number;
  maxMs?: number;
  minUptimeMs?: number;
  random?: () => number;
  now?: () => number;
}

export class Backoff {
  readonly baseMs: number;
  readonly maxMs: number;
  readonly minUptimeMs: number;
  #random: () => number;
  #now: () => number;
  #attempt = 0;
  #upSince: number | undefined;
  #penalty = false;

  constructor(opts: BackoffOptions = {}) {
    this.baseMs = opts.baseMs ?? 1000;
    this.maxMs = opts.maxMs ?? 60_000;
    this.minUptimeMs = opts.minUptimeMs ?? 30_000;
    this.#random = opts.random ?? Math.random;
    this.#now = opts.now ?? Date.now;
  }

  /** Failed attempts since the last stable link. */
  get attempt(): number {
    return this.#attempt;
  }

  /** The link is established (welcome received). */
  up(): void {
    this.#upSince = this.#now();
  }

  /** The link went down; resets the count only if it stayed up long enough. */
  down(): void {
    if (this.#upSince !== undefined && this.#now() - this.#upSince >= this.minUptimeMs) this.#attempt = 0;
    this.#upSince = undefined;
  }

  /** The next wait is the maximum (credential revoked: nothing will change soon). */
  penalize(): void {
    this.#penalty = true;
  }

  /** Delay before the next connection attempt; counts the attempt. */
  next(): number {
    if (this.#penalty) {
      this.#penalty = false;
      this.#attempt++;
      return this.maxMs;
    }
    const ceiling = Math.min(this.maxMs, this.baseMs * 2 ** Math.min(this.#attempt, 30));
    this.#attempt++;
    return Math.floor(this.#random() * ceiling);
  }
}
