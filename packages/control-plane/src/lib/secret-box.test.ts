import { describe, expect, it } from "vitest";
import { open, seal } from "./secret-box.ts";

describe("secret box", () => {
  it("round-trips, hides the value, and refuses a wrong key or altered ciphertext", async () => {
    const box = await seal("k".repeat(40), { DB_PASSWORD: "hunter2-secret" });
    expect(box).not.toContain("hunter2");
    expect(await open("k".repeat(40), box)).toEqual({ DB_PASSWORD: "hunter2-secret" });
    await expect(open("x".repeat(40), box)).rejects.toThrow();
    const tampered = `${box.slice(0, -3)}${box.slice(-3) === "AAA" ? "BBB" : "AAA"}`;
    await expect(open("k".repeat(40), tampered)).rejects.toThrow();
    expect(await seal("k".repeat(40), 1)).not.toBe(await seal("k".repeat(40), 1));
  });
});
