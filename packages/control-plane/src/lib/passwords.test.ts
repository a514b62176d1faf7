import { describe, expect, it } from "vitest";
import { ApiError } from "../errors.ts";
import { PasswordHasher } from "./passwords.ts";

describe("password hashing", () => {
  it("verifies the password it hashed and nothing else", async () => {
    const p = new PasswordHasher();
    const phc = await p.hash("correct horse");
    expect(phc).toMatch(/^\$argon2id\$v=19\$m=19456,t=2,p=1\$/);
    expect(await p.verify("correct horse", phc)).toBe(true);
    expect(await p.verify("correct horsE", phc)).toBe(false);
    expect(await p.verify("correct horse", "not a hash")).toBe(false);
  }, 30_000);

  it("computes at most `concurrency` at once, queues a few more and refuses the rest with 429 and Retry-After", async () => {
    const p = new PasswordHasher({ concurrency: 1, maxWaiting: 2 });
    let most = 0;
    const watch = setInterval(() => (most = Math.max(most, p.load.running)), 1);
    const results = await Promise.allSettled(Array.from({ length: 6 }, (_, i) => p.hash(`pw ${i}`)));
    clearInterval(watch);
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(3);
    const refused = results.flatMap((r) => (r.status === "rejected" ? [r.reason] : []));
    expect(refused).toHaveLength(3);
    for (const e of refused) {
      expect(e).toBeInstanceOf(ApiError);
      expect(e.code).toBe("too_many_requests");
      expect(Number(e.headers["Retry-After"])).toBeGreaterThanOrEqual(1);
    }
    expect(most).toBe(1);
    expect(p.load).toEqual({ running: 0, waiting: 0 });
    // The queue drained: new work is accepted again.
    expect(await p.verify("pw 0", await p.hash("pw 0"))).toBe(true);
  }, 60_000);

  it("answers for nobody after waiting as long as a recent real check took, without computing one", async () => {
    let t = 0;
    const slept: number[] = [];
    const p = new PasswordHasher({
      clock: () => t,
      sleep: async (ms) => {
        slept.push(ms);
      },
      random: () => 0.99,
    });
    // Before any real check was timed, the first pretended one computes against a dummy hash.
    expect(await p.verifyNobody("guess")).toBe(false);
    expect(slept).toEqual([]);
    const real = p.hash("pw");
    t += 840; // the clock advances while the real hash runs
    await real;
    expect(await p.verifyNobody("guess")).toBe(false);
    expect(slept).toEqual([840]);
  }, 30_000);

  it("makes pretended checks wait in the same queue as real ones", async () => {
    const p = new PasswordHasher({ concurrency: 1, maxWaiting: 0 });
    await p.hash("warm up"); // one real timing
    const nobody = p.verifyNobody("guess");
    await expect(p.hash("x")).rejects.toMatchObject({ code: "too_many_requests" });
    await nobody;
  }, 30_000);
});
