// What an unauthenticated caller can make the server compute: password checks are counted before
// they run, cheap checks come first, and the hash queue is bounded (issue 10).
import { afterEach, describe, expect, it } from "vitest";
import { ARGON2_COST, PasswordHasher } from "../../lib/passwords.ts";
import { bootstrapAdmin } from "../../runtime/bootstrap.ts";
import { type Harness, makeHarness, TEST_PASSWORD, TEST_PASSWORD_COST } from "../../testing/harness.ts";

/** A hasher that counts what it is asked to compute. */
class CountingHasher extends PasswordHasher {
  hashes = 0;
  verifies = 0;
  nobodies = 0;
  override hash(password: string) {
    this.hashes++;
    return super.hash(password);
  }
  override verify(password: string, phc: string) {
    this.verifies++;
    return super.verify(password, phc);
  }
  override verifyNobody(password: string) {
    this.nobodies++;
    return super.verifyNobody(password);
  }
}

let h: Harness | undefined;
afterEach(() => h?.close());

async function harness(opts: ConstructorParameters<typeof PasswordHasher>[0] = { maxWaiting: 100 }) {
  const passwords = new CountingHasher({ cost: TEST_PASSWORD_COST, ...opts });
  h = await makeHarness({ passwords });
  return { h, passwords };
}

const login = (h: Harness, email: string, password: string, ip: string) =>
  h.call("POST", "/api/v1/auth/login", { body: { email, password }, headers: { "x-test-ip": ip } });

describe("sign-in attempts", () => {
  it("evaluates at most five of 40 concurrent wrong passwords for one account; the rest get 429", async () => {
    const { h, passwords } = await harness();
    const u = await h.user("viewer");
    passwords.verifies = 0;
    const answers = await Promise.all(
      Array.from({ length: 40 }, (_, i) => login(h, u.email, `wrong ${i}`, `10.40.0.${i}`)),
    );
    const statuses = answers.map((r) => r.status);
    expect(passwords.verifies).toBe(5);
    expect(statuses.filter((s) => s === 401)).toHaveLength(5);
    expect(statuses.filter((s) => s === 429)).toHaveLength(35);
    const refused = answers.find((r) => r.status === 429)!;
    expect(Number(refused.headers.get("retry-after"))).toBeGreaterThan(0);
    expect((await refused.json()).error).toMatchObject({
      code: "too_many_requests",
      requestId: expect.any(String),
    });
    // The right password, after the lock, still works.
    h.clock.now += 61_000;
    expect((await login(h, u.email, TEST_PASSWORD, "10.40.1.1")).status).toBe(200);
  }, 60_000);

  it("answers an unknown email without computing a hash once a real check was timed", async () => {
    const { h, passwords } = await harness();
    const u = await h.user("viewer");
    await h.signIn(u.email);
    passwords.verifies = 0;
    const res = await login(h, "nobody-here@example.com", "a guess", "10.41.0.1");
    expect(res.status).toBe(401);
    expect((await res.json()).error.message).toBe("Invalid email or password");
    expect(passwords.nobodies).toBe(1);
    expect(passwords.verifies).toBe(0);
  }, 30_000);

  it("counts successful sign-ins against nobody: one address may sign in many times", async () => {
    const { h } = await harness();
    const u = await h.user("viewer");
    for (let i = 0; i < 32; i++)
      expect((await login(h, u.email, TEST_PASSWORD, "10.42.0.1")).status).toBe(200);
  }, 120_000);

  it("refuses with 429 and Retry-After when the password queue is full, and does not count it as a failure", async () => {
    // The production cost, so the first check is still running when the others arrive.
    const { h } = await harness({ concurrency: 1, maxWaiting: 0, cost: ARGON2_COST });
    const u = await h.user("viewer");
    const answers = await Promise.all(
      Array.from({ length: 4 }, (_, i) => login(h, u.email, "wrong password", `10.43.0.${i}`)),
    );
    const busy = answers.filter((r) => r.status === 429);
    expect(busy.length).toBeGreaterThanOrEqual(1);
    for (const r of busy) {
      expect(Number(r.headers.get("retry-after"))).toBeGreaterThanOrEqual(1);
      expect((await r.json()).error.message).toMatch(/Too many password checks at once/);
    }
    // Only the evaluated attempts counted: the account is not locked after 4 tries.
    expect((await login(h, u.email, TEST_PASSWORD, "10.43.1.1")).status).toBe(200);
  }, 60_000);
});

describe("setup attempts", () => {
  const body = { email: "first@example.com", name: "First", password: "first admin password" };

  it("checks the setup secret before hashing and locks an address after 10 wrong ones", async () => {
    const { h, passwords } = await harness();
    await bootstrapAdmin(h.deps, { name: "Admin", baseUrl: "http://x" });
    for (let i = 0; i < 10; i++) {
      const r = await h.call("POST", "/api/v1/setup", {
        body: { ...body, token: `wrong-${i}` },
        headers: { "x-test-ip": "10.50.0.1" },
      });
      expect(r.status).toBe(403);
    }
    const locked = await h.call("POST", "/api/v1/setup", {
      body: { ...body, token: "wrong-again" },
      headers: { "x-test-ip": "10.50.0.1" },
    });
    expect(locked.status).toBe(429);
    expect(Number(locked.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(passwords.hashes).toBe(0);
  });

  it("refuses setup once an account exists without hashing", async () => {
    const { h, passwords } = await harness();
    await h.user("admin");
    passwords.hashes = 0;
    const r = await h.call("POST", "/api/v1/setup", { body: { ...body, token: "anything" } });
    expect(r.status).toBe(409);
    expect(passwords.hashes).toBe(0);
  });
});
