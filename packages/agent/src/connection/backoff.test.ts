import { describe, expect, it } from "vitest";
import { Backoff } from "./backoff.ts";

function clock() {
  let t = 0;
  return { now: () => t, advance: (ms: number) => (t += ms) };
}

describe("Backoff", () => {
  it("grows exponentially up to the cap, with full jitter over [0, ceiling)", () => {
    const c = clock();
    const top = new Backoff({ baseMs: 1000, maxMs: 30_000, random: () => 0.999999, now: c.now });
    const ceilings = Array.from({ length: 8 }, () => top.next());
    expect(ceilings).toEqual([999, 1999, 3999, 7999, 15_999, 29_999, 29_999, 29_999]);
    const bottom = new Backoff({ baseMs: 1000, maxMs: 30_000, random: () => 0, now: c.now });
    expect([bottom.next(), bottom.next(), bottom.next()]).toEqual([0, 0, 0]);
    const mid = new Backoff({ baseMs: 1000, maxMs: 30_000, random: () => 0.5, now: c.now });
    expect([mid.next(), mid.next(), mid.next()]).toEqual([500, 1000, 2000]);
  });

  it("resets the count only after the link stayed up for minUptimeMs", () => {
    const c = clock();
    const b = new Backoff({
      baseMs: 1000,
      maxMs: 60_000,
      minUptimeMs: 10_000,
      random: () => 0.5,
      now: c.now,
    });
    b.next();
    b.next();
    b.next();
    expect(b.attempt).toBe(3);
    // A link that drops after 2 s does not earn a reset: the server may be accepting and dropping.
    b.up();
    c.advance(2000);
    b.down();
    expect(b.attempt).toBe(3);
    expect(b.next()).toBe(4000);
    // A link that stayed up 10 s does.
    b.up();
    c.advance(10_000);
    b.down();
    expect(b.attempt).toBe(0);
    expect(b.next()).toBe(500);
  });

  it("jumps to the maximum once after a revocation, then continues counting", () => {
    const b = new Backoff({ baseMs: 1000, maxMs: 60_000, random: () => 0.5, now: clock().now });
    b.penalize();
    expect(b.next()).toBe(60_000);
    expect(b.next()).toBe(1000);
  });

  it("does not overflow at huge attempt counts", () => {
    const b = new Backoff({ baseMs: 1000, maxMs: 5000, random: () => 0.5, now: clock().now });
    for (let i = 0; i < 2000; i++) b.next();
    expect(b.next()).toBe(2500);
  });
});
