// Platform-neutral crypto: WebCrypto's CSPRNG and pure-JS hashes (@noble/hashes), so the same
// code runs on Node and on Workers. Hashes are synchronous on purpose: WebCrypto's digest() is a
// thread-pool round trip on Node, several times slower than hashing 60 bytes in JS on the hot
// path of every authenticated request.
import { hmac } from "@noble/hashes/hmac.js";
import { sha256 } from "@noble/hashes/sha2.js";
import { bytesToHex } from "@noble/hashes/utils.js";

const encoder = new TextEncoder();
const BASE32 = "abcdefghijklmnopqrstuvwxyz234567";

/** Random bytes from the platform CSPRNG. */
export function randomBytes(n: number): Uint8Array {
  return crypto.getRandomValues(new Uint8Array(n));
}

/** Lower-case base32 without padding: URL-, cookie- and filename-safe. */
export function base32(bytes: Uint8Array): string {
  let out = "";
  let bits = 0;
  let value = 0;
  for (const byte of bytes) {
    value = (value << 8) | byte;
    bits += 8;
    while (bits >= 5) {
      out += BASE32[(value >>> (bits - 5)) & 31];
      bits -= 5;
    }
  }
  if (bits > 0) out += BASE32[(value << (5 - bits)) & 31];
  return out;
}

/** A random secret string with `bytes` bytes of entropy. */
export function randomSecret(bytes = 32): string {
  return base32(randomBytes(bytes));
}

/** SHA-256 hex digest: how high-entropy secrets (sessions, tokens) are stored. */
export function sha256Hex(text: string): string {
  return bytesToHex(sha256(encoder.encode(text)));
}

/** HMAC-SHA256 hex of `message` under `key`. */
export function hmacHex(key: string, message: string): string {
  return bytesToHex(hmac(sha256, encoder.encode(key), encoder.encode(message)));
}

/** Compares two strings in time independent of where they differ. */
export function constantTimeEqual(a: string, b: string): boolean {
  const x = encoder.encode(a);
  const y = encoder.encode(b);
  let diff = x.length ^ y.length;
  for (let i = 0; i < Math.max(x.length, y.length); i++) diff |= (x[i] ?? 0) ^ (y[i] ?? 0);
  return diff === 0;
}
