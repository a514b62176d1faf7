// Encryption at rest for app secrets: AES-256-GCM with a key derived from the server secret by
// HKDF (WebCrypto, so the same on Node and Workers). Format: "v1.<iv b64url>.<ciphertext b64url>".
const encoder = new TextEncoder();
const decoder = new TextDecoder();
const keys = new Map<string, Promise<CryptoKey>>();

type CryptoKey = Awaited<ReturnType<typeof crypto.subtle.importKey>>;

function b64url(bytes: Uint8Array): string {
  let s = "";
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

function fromB64url(text: string): Uint8Array {
  const bin = atob(text.replace(/-/g, "+").replace(/_/g, "/"));
  return Uint8Array.from(bin, (c) => c.charCodeAt(0));
}

function keyFor(secretKey: string): Promise<CryptoKey> {
  let k = keys.get(secretKey);
  if (!k) {
    k = (async () => {
      const base = await crypto.subtle.importKey("raw", encoder.encode(secretKey), "HKDF", false, [
        "deriveKey",
      ]);
      return crypto.subtle.deriveKey(
        {
          name: "HKDF",
          hash: "SHA-256",
          salt: encoder.encode("pylon/secret-box"),
          info: encoder.encode("v1"),
        },
        base,
        { name: "AES-GCM", length: 256 },
        false,
        ["encrypt", "decrypt"],
      );
    })();
    keys.set(secretKey, k);
  }
  return k;
}

/** Encrypts a JSON value. */
export async function seal(secretKey: string, value: unknown): Promise<string> {
  const iv = crypto.getRandomValues(new Uint8Array(12));
  const data = encoder.encode(JSON.stringify(value));
  const ct = new Uint8Array(
    await crypto.subtle.encrypt({ name: "AES-GCM", iv }, await keyFor(secretKey), data),
  );
  return `v1.${b64url(iv)}.${b64url(ct)}`;
}

/** Decrypts what {@link seal} produced; throws when the key is wrong or the box was altered. */
export async function open<T>(secretKey: string, box: string): Promise<T> {
  const [version, iv, ct] = box.split(".");
  if (version !== "v1" || !iv || !ct) throw new Error("not a sealed value");
  const plain = await crypto.subtle.decrypt(
    { name: "AES-GCM", iv: fromB64url(iv) },
    await keyFor(secretKey),
    fromB64url(ct),
  );
  return JSON.parse(decoder.decode(plain)) as T;
}
