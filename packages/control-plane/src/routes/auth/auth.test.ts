import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type Harness, makeHarness, TEST_PASSWORD } from "../../testing/harness.ts";

let h: Harness;
beforeAll(async () => {
  h = await makeHarness();
});
afterAll(() => h.close());

describe("sign-in", () => {
  it("sets an HttpOnly SameSite=Lax session cookie and a readable CSRF cookie", async () => {
    const u = await h.user("viewer");
    const res = await h.call("POST", "/api/v1/auth/login", {
      body: { email: u.email.toUpperCase(), password: TEST_PASSWORD },
    });
    expect(res.status).toBe(200);
    const cookies = res.headers.getSetCookie();
    const session = cookies.find((c) => c.startsWith("pylon_session="))!;
    expect(session).toMatch(/HttpOnly/);
    expect(session).toMatch(/SameSite=Lax/);
    expect(session).not.toMatch(/Secure/); // plain http in tests
    expect(cookies.find((c) => c.startsWith("pylon_csrf="))).not.toMatch(/HttpOnly/);
    const body = await res.json();
    expect(body.user.email).toBe(u.email);
    expect(JSON.stringify(body)).not.toMatch(/argon2|passwordHash/);
  });

  it("marks cookies Secure behind an https public URL", async () => {
    const s = await makeHarness({ publicUrl: "https://pylon.example.com" });
    try {
      const u = await s.user("viewer");
      const res = await s.call("POST", "/api/v1/auth/login", {
        body: { email: u.email, password: TEST_PASSWORD },
      });
      expect(res.headers.getSetCookie().every((c) => /Secure/.test(c))).toBe(true);
    } finally {
      s.close();
    }
  });

  it("gives one message for a wrong password and an unknown email", async () => {
    const u = await h.user("viewer");
    const wrong = await h.call("POST", "/api/v1/auth/login", {
      body: { email: u.email, password: "not the password" },
      headers: { "x-test-ip": "10.0.0.1" },
    });
    const unknown = await h.call("POST", "/api/v1/auth/login", {
      body: { email: "nobody@example.com", password: "not the password" },
      headers: { "x-test-ip": "10.0.0.2" },
    });
    expect(wrong.status).toBe(401);
    expect(unknown.status).toBe(401);
    expect((await wrong.json()).error.message).toBe((await unknown.json()).error.message);
  });

  it("refuses a disabled user with the same message", async () => {
    const admin = await h.user("admin");
    const u = await h.user("viewer");
    const a = await h.signIn(admin.email);
    expect((await h.call("PATCH", `/api/v1/users/${u.id}`, { as: a, body: { disabled: true } })).status).toBe(
      200,
    );
    const res = await h.call("POST", "/api/v1/auth/login", {
      body: { email: u.email, password: TEST_PASSWORD },
    });
    expect(res.status).toBe(401);
    expect((await res.json()).error.message).toBe("Invalid email or password");
  });
});

describe("throttling", () => {
  it("locks an account after repeated failures, even from different IPs, and says when to retry", async () => {
    const u = await h.user("viewer");
    for (let i = 0; i < 5; i++) {
      const r = await h.call("POST", "/api/v1/auth/login", {
        body: { email: u.email, password: "wrong password" },
        headers: { "x-test-ip": `10.1.0.${i}` },
      });
      expect(r.status).toBe(401);
    }
    const locked = await h.call("POST", "/api/v1/auth/login", {
      body: { email: u.email, password: TEST_PASSWORD },
      headers: { "x-test-ip": "10.1.0.99" },
    });
    expect(locked.status).toBe(429);
    expect(Number(locked.headers.get("retry-after"))).toBeGreaterThan(0);
    expect((await locked.json()).error.code).toBe("too_many_requests");
    h.clock.now += 61_000;
    const later = await h.call("POST", "/api/v1/auth/login", {
      body: { email: u.email, password: TEST_PASSWORD },
    });
    expect(later.status).toBe(200);
  });

  it("locks unknown emails the same way, so a lockout reveals nothing", async () => {
    for (let i = 0; i < 5; i++) {
      await h.call("POST", "/api/v1/auth/login", {
        body: { email: "ghost@example.com", password: "wrong password" },
        headers: { "x-test-ip": `10.2.0.${i}` },
      });
    }
    const r = await h.call("POST", "/api/v1/auth/login", {
      body: { email: "ghost@example.com", password: "x" },
    });
    expect(r.status).toBe(429);
  });

  it("locks an IP that sprays many accounts", async () => {
    for (let i = 0; i < 30; i++) {
      await h.call("POST", "/api/v1/auth/login", {
        body: { email: `spray${i}@example.com`, password: "wrong password" },
        headers: { "x-test-ip": "10.9.9.9" },
      });
    }
    const u = await h.user("viewer");
    const r = await h.call("POST", "/api/v1/auth/login", {
      body: { email: u.email, password: TEST_PASSWORD },
      headers: { "x-test-ip": "10.9.9.9" },
    });
    expect(r.status).toBe(429);
    const other = await h.call("POST", "/api/v1/auth/login", {
      body: { email: u.email, password: TEST_PASSWORD },
      headers: { "x-test-ip": "10.9.9.10" },
    });
    expect(other.status).toBe(200);
  }, 120_000);
});

describe("sessions", () => {
  it("logout revokes the session server-side", async () => {
    const u = await h.user("viewer");
    const b = await h.signIn(u.email);
    expect((await h.call("GET", "/api/v1/auth/me", { as: b })).status).toBe(200);
    const out = await h.call("POST", "/api/v1/auth/logout", { as: b });
    expect(out.status).toBe(204);
    const after = await h.call("GET", "/api/v1/auth/me", { as: b });
    expect(after.status).toBe(401);
  });

  it("expires after the idle timeout with a clear message", async () => {
    const u = await h.user("viewer");
    const b = await h.signIn(u.email);
    h.clock.now += 11 * 3600_000;
    expect((await h.call("GET", "/api/v1/auth/me", { as: b })).status).toBe(200);
    h.clock.now += 11 * 3600_000; // still within 12 h of the last use
    expect((await h.call("GET", "/api/v1/auth/me", { as: b })).status).toBe(200);
    h.clock.now += 12 * 3600_000 + 1;
    const res = await h.call("GET", "/api/v1/auth/me", { as: b });
    expect(res.status).toBe(401);
    expect((await res.json()).error).toMatchObject({
      code: "session_expired",
      message: expect.stringMatching(/expired/),
    });
  });

  it("expires at the absolute lifetime even when used constantly", async () => {
    const u = await h.user("viewer");
    const b = await h.signIn(u.email);
    for (let i = 0; i < 7 * 4; i++) {
      h.clock.now += 6 * 3600_000;
      const r = await h.call("GET", "/api/v1/auth/me", { as: b });
      if (r.status !== 200) {
        expect(i).toBeGreaterThanOrEqual(27);
        expect((await r.json()).error.code).toBe("session_expired");
        return;
      }
    }
    throw new Error("session outlived its absolute lifetime");
  });

  it("password change ends every other session and keeps the caller signed in", async () => {
    const u = await h.user("operator");
    const laptop = await h.signIn(u.email);
    const phone = await h.signIn(u.email);
    const res = await h.call("POST", "/api/v1/auth/password", {
      as: laptop,
      body: { currentPassword: TEST_PASSWORD, newPassword: "a brand new passphrase" },
    });
    expect(res.status).toBe(204);
    expect((await h.call("GET", "/api/v1/auth/me", { as: phone })).status).toBe(401);
    expect((await h.call("GET", "/api/v1/auth/me", { as: laptop })).status).toBe(401);
    const fresh = res.headers
      .getSetCookie()
      .map((c) => c.split(";")[0])
      .join("; ");
    expect((await h.call("GET", "/api/v1/auth/me", { as: { cookie: fresh, csrf: "" } })).status).toBe(200);
    await h.signIn(u.email, "a brand new passphrase");
  });

  it("password change with a wrong current password names the field", async () => {
    const u = await h.user("viewer");
    const b = await h.signIn(u.email);
    const res = await h.call("POST", "/api/v1/auth/password", {
      as: b,
      body: { currentPassword: "nope", newPassword: "another long passphrase" },
    });
    expect(res.status).toBe(400);
    expect((await res.json()).error.details.fields[0].path).toBe("currentPassword");
  });
});

describe("CSRF", () => {
  it("refuses cookie-authenticated mutations without the CSRF header", async () => {
    const admin = await h.user("admin");
    const b = await h.signIn(admin.email);
    const res = await h.call("POST", "/api/v1/tokens", {
      as: b,
      body: { name: "x", scopes: ["read"] },
      headers: { "x-csrf-token": "forged" },
    });
    expect(res.status).toBe(403);
    expect((await res.json()).error.code).toBe("csrf_failed");
    const ok = await h.call("POST", "/api/v1/tokens", { as: b, body: { name: "x", scopes: ["read"] } });
    expect(ok.status).toBe(201);
  });

  it("refuses cross-site requests by Origin, including sign-in", async () => {
    const u = await h.user("viewer");
    const res = await h.call("POST", "/api/v1/auth/login", {
      body: { email: u.email, password: TEST_PASSWORD },
      headers: { origin: "https://evil.example", host: "localhost" },
    });
    expect(res.status).toBe(403);
    const same = await h.call("POST", "/api/v1/auth/login", {
      body: { email: u.email, password: TEST_PASSWORD },
      headers: { origin: "http://localhost", host: "localhost" },
    });
    expect(same.status).toBe(200);
  });
});

describe("profile", () => {
  it("lets any signed-in user change their own name, and only that", async () => {
    const u = await h.user("viewer");
    const b = await h.signIn(u.email);
    const res = await h.call("PATCH", "/api/v1/auth/me", { as: b, body: { name: "  New Name " } });
    expect(res.status).toBe(200);
    expect((await res.json()).name).toBe("New Name");
    expect((await (await h.call("GET", "/api/v1/auth/me", { as: b })).json()).user.name).toBe("New Name");
    const bad = await h.call("PATCH", "/api/v1/auth/me", { as: b, body: { name: "x", role: "admin" } });
    expect(bad.status).toBe(400);
    expect((await (await h.call("GET", "/api/v1/auth/me", { as: b })).json()).user.role).toBe("viewer");
  });
});
