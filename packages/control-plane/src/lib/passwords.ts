import { argon2idAsync } from "@noble/hashes/argon2.js";
import { ApiError } from "../errors.ts";
import { constantTimeEqual, randomBytes } from "./crypto.ts";

// OWASP Password Storage Cheat Sheet: Argon2id, m=19 MiB, t=2, p=1. A pure-JS implementation
// so the same code runs on Node and Workers (WebCrypto PBKDF2 on Workers stops at 100k rounds).
export const ARGON2_COST = { m: 19456, t: 2, p: 1 } as const;
const PARAMS = ARGON2_COST;
const HASH_LEN = 32;
/** A hash of a password nobody knows, for the first pretended check before any real one was timed. */
const NOBODY =
  "$argon2id$v=19$m=19456,t=2,p=1$Ty+Rdqczl7yTuhYFWd88yA$7yPGt5FjkG4mYaHXVOnDO+Yb/+WAkVyqFqy3P6tk5CI";
const SAMPLES = 32;

function b64(bytes: Uint8Array): string {
  return btoa(String.fromCharCode(...bytes)).replace(/=+$/, "");
}

async function argon2(password: string, phc: string): Promise<boolean> {
  const parts = phc.split("$");
  const m = /^m=(\d+),t=(\d+),p=(\d+)$/.exec(parts[3] ?? "");
  if (parts[1] !== "argon2id" || !m || !parts[4] || !parts[5]) return false;
  const salt = Uint8Array.from(atob(parts[4]), (ch) => ch.charCodeAt(0));
  const hash = await argon2idAsync(password, salt, {
    m: Number(m[1]),
    t: Number(m[2]),
    p: Number(m[3]),
    dkLen: HASH_LEN,
    asyncTick: 10,
  });
  return constantTimeEqual(b64(hash), parts[5]);
}

export interface PasswordHasherOptions {
  /**
   * Argon2 cost of new hashes (verification reads it from the hash). Only tests lower it, so that
   * suites signing in hundreds of times do not depend on the machine's speed.
   */
  cost?: { m: number; t: number; p: number };
  /** Hashes computed at once; each holds 19 MiB while it runs. */
  concurrency?: number;
  /** Requests waiting for a slot; beyond this the answer is 429. */
  maxWaiting?: number;
  sleep?: (ms: number) => Promise<void>;
  clock?: () => number;
  random?: () => number;
}

/**
 * Password hashing behind a small queue. Each Argon2 computation holds 19 MiB, so without a bound
 * a burst of unauthenticated requests takes the process to gigabytes (issue 10: 100 concurrent
 * requests, 2 GB). At most `concurrency` run at once, `maxWaiting` more wait, and the rest are
 * refused at once with 429 and a Retry-After estimated from the queue.
 */
export class PasswordHasher {
  private readonly cost: { m: number; t: number; p: number };
  private readonly concurrency: number;
  private readonly maxWaiting: number;
  private readonly sleep: (ms: number) => Promise<void>;
  private readonly clock: () => number;
  private readonly random: () => number;
  private running = 0;
  private readonly waiting: (() => void)[] = [];
  /** Wall-clock durations of recent real computations, newest last. */
  private readonly samples: number[] = [];

  constructor(opts: PasswordHasherOptions = {}) {
    this.cost = opts.cost ?? PARAMS;
    this.concurrency = opts.concurrency ?? 2;
    this.maxWaiting = opts.maxWaiting ?? 8;
    this.sleep = opts.sleep ?? ((ms) => new Promise((r) => setTimeout(r, ms)));
    this.clock = opts.clock ?? (() => performance.now());
    this.random = opts.random ?? Math.random;
  }

  /** Hashes a password to a PHC string (`$argon2id$v=19$m=…,t=…,p=…$salt$hash`). */
  hash(password: string): Promise<string> {
    return this.slot(() =>
      this.timed(async () => {
        const salt = randomBytes(16);
        const { m, t, p } = this.cost;
        const hash = await argon2idAsync(password, salt, { m, t, p, dkLen: HASH_LEN, asyncTick: 10 });
        return `$argon2id$v=19$m=${m},t=${t},p=${p}$${b64(salt)}$${b64(hash)}`;
      }),
    );
  }

  /** Checks a password against a PHC string made by {@link hash}. */
  verify(password: string, phc: string): Promise<boolean> {
    return this.slot(() => this.timed(() => argon2(password, phc)));
  }

  /**
   * Takes as long as a verification and answers false, for accounts that do not exist, so the
   * answer's timing says nothing about whether one does. It waits in the same queue and holds a
   * slot for a duration drawn from recent real verifications (the same distribution, load
   * included) without computing anything, so it costs no memory; only the very first one, before
   * any real check was timed, computes one.
   */
  verifyNobody(password: string): Promise<false> {
    return this.slot(async (): Promise<false> => {
      if (this.samples.length === 0) await this.timed(() => argon2(password, NOBODY));
      else await this.sleep(this.samples[Math.floor(this.random() * this.samples.length)]!);
      return false;
    });
  }

  /** Computations running and waiting now. */
  get load(): { running: number; waiting: number } {
    return { running: this.running, waiting: this.waiting.length };
  }

  private async timed<T>(fn: () => Promise<T>): Promise<T> {
    const t0 = this.clock();
    try {
      return await fn();
    } finally {
      this.samples.push(this.clock() - t0);
      if (this.samples.length > SAMPLES) this.samples.shift();
    }
  }

  private async slot<T>(fn: () => Promise<T>): Promise<T> {
    if (this.running < this.concurrency) this.running++;
    else if (this.waiting.length < this.maxWaiting) await new Promise<void>((r) => this.waiting.push(r));
    else throw this.busy();
    try {
      return await fn();
    } finally {
      // Hand the slot to the next waiter, or free it.
      const next = this.waiting.shift();
      if (next) next();
      else this.running--;
    }
  }

  private busy(): ApiError {
    const avg = this.samples.length ? this.samples.reduce((a, b) => a + b, 0) / this.samples.length : 500;
    const ahead = this.running + this.waiting.length;
    const seconds = Math.max(1, Math.ceil((ahead / this.concurrency) * (avg / 1000)));
    return new ApiError(
      "too_many_requests",
      `Too many password checks at once; try again in ${seconds} seconds`,
      { retryAfterSeconds: seconds },
      { "Retry-After": String(seconds) },
    );
  }
}

/** The process's hasher: the memory bound is per process, so one queue serves every app in it. */
export const sharedPasswordHasher = new PasswordHasher();

/** The hasher a runtime injected, or the process's shared one. */
export function passwordsOf(deps: { passwords?: PasswordHasher }): PasswordHasher {
  return deps.passwords ?? sharedPasswordHasher;
}
