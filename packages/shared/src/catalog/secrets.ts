import { CatalogParameterError, type ParameterIssue } from "./parameters.ts";
import type { CatalogEntry, SecretAlphabet } from "./schema.ts";

const ALPHABETS: Record<SecretAlphabet, string> = {
  alphanumeric: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789",
  hex: "0123456789abcdef",
  base64url: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_",
};

/** Fills a buffer with cryptographically strong random bytes. */
export type RandomBytes = (buffer: Uint8Array) => void;

// shared compiles without DOM or Node types; Web Crypto is a global in Node 20, browsers and Workers.
declare const crypto: { getRandomValues(buffer: Uint8Array): Uint8Array };

const webCryptoRandom: RandomBytes = (buffer) => {
  crypto.getRandomValues(buffer);
};

/** A uniformly random string over `alphabet` (rejection sampling: no modulo bias). */
export function randomString(
  length: number,
  alphabet: string,
  random: RandomBytes = webCryptoRandom,
): string {
  if (alphabet.length < 2 || alphabet.length > 256) throw new Error("alphabet must have 2 to 256 symbols");
  const limit = 256 - (256 % alphabet.length);
  let out = "";
  const buffer = new Uint8Array(Math.max(16, length * 2));
  while (out.length < length) {
    random(buffer);
    for (const byte of buffer) {
      if (byte < limit) out += alphabet[byte % alphabet.length];
      if (out.length === length) break;
    }
  }
  return out;
}

/** Generates every secret an entry declares, fresh for one deploy. */
export function generateSecrets(
  entry: Pick<CatalogEntry, "secrets">,
  random: RandomBytes = webCryptoRandom,
): Record<string, string> {
  const out: Record<string, string> = {};
  for (const s of entry.secrets) out[s.name] = randomString(s.length, ALPHABETS[s.alphabet], random);
  return out;
}

/** Checks that exactly the declared secrets are given, non-empty and free of NUL bytes. */
export function checkSecrets(
  entry: Pick<CatalogEntry, "id" | "secrets">,
  secrets: Readonly<Record<string, unknown>>,
): Record<string, string> {
  const issues: ParameterIssue[] = [];
  const declared = new Set(entry.secrets.map((s) => s.name));
  for (const name of Object.keys(secrets)) {
    if (!declared.has(name)) issues.push({ parameter: name, message: `is not a secret of '${entry.id}'` });
  }
  const out: Record<string, string> = {};
  for (const name of declared) {
    const value = Object.hasOwn(secrets, name) ? secrets[name] : undefined;
    if (typeof value !== "string" || value === "") issues.push({ parameter: name, message: "is missing" });
    else if (value.includes("\0")) issues.push({ parameter: name, message: "must not contain NUL bytes" });
    else out[name] = value;
  }
  if (issues.length > 0) throw new CatalogParameterError(issues, "secret");
  return out;
}
