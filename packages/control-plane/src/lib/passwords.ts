import { argon2idAsync } from "@noble/hashes/argon2.js";
import { base32, constantTimeEqual, randomBytes } from "./crypto.ts";

// OWASP Password Storage Cheat Sheet: Argon2id, m=19 MiB, t=2, p=1. A pure-JS implementation
// so the same code runs on Node and Workers (WebCrypto PBKDF2 on Workers stops at 100k rounds).
const PARAMS = { m: 19456, t: 2, p: 1 } as const;
const HASH_LEN = 32;

function b64(bytes: Uint8Array): string {
  return btoa(String.fromCharCode(...bytes)).replace(/=+$/, "");
}

/** Hashes a password to a PHC string (`$argon2id$v=19$m=…,t=…,p=…$salt$hash`). */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(16);
  const hash = await argon2idAsync(password, salt, { ...PARAMS, dkLen: HASH_LEN, asyncTick: 10 });
  return `$argon2id$v=19$m=${PARAMS.m},t=${PARAMS.t},p=${PARAMS.p}$${b64(salt)}$${b64(hash)}`;
}

/** Checks a password against a PHC string made by {@link hashPassword}. */
export async function verifyPassword(password: string, phc: string): Promise<boolean> {
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

let dummy: Promise<string> | undefined;

/** Spends the time of one verification, so unknown accounts answer as slowly as known ones. */
export async function burnPasswordCheck(password: string): Promise<void> {
  dummy ??= hashPassword(base32(randomBytes(12)));
  await verifyPassword(password, await dummy);
}
