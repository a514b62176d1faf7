import { createHash } from "node:crypto";
import ssh2 from "ssh2";

/** An SSH host key as recorded for pinning. */
export interface HostKey {
  /** OpenSSH public key line: `ssh-ed25519 AAAA…`. */
  publicKey: string;
  /** OpenSSH SHA256 fingerprint: `SHA256:…` (unpadded base64). */
  fingerprint: string;
}

/** A host presented a key other than the pinned one; the connection was refused. */
export class HostKeyMismatchError extends Error {
  override name = "HostKeyMismatchError";
}

/** The OpenSSH SHA256 fingerprint of a public key blob. */
export function fingerprintOf(blob: Buffer): string {
  return `SHA256:${createHash("sha256").update(blob).digest("base64").replace(/=+$/, "")}`;
}

/** The key type named inside a public key blob (its first SSH string). */
function blobType(blob: Buffer): string {
  if (blob.length < 4) return "";
  const len = blob.readUInt32BE(0);
  return blob.subarray(4, 4 + len).toString("latin1");
}

/** The HostKey of a public key blob as a server presents it. */
export function hostKeyOf(blob: Buffer): HostKey {
  return { publicKey: `${blobType(blob)} ${blob.toString("base64")}`, fingerprint: fingerprintOf(blob) };
}

/** A parsed pin: what to compare and, for a full key, which algorithms to ask the server for. */
export interface Pin {
  fingerprint: string;
  algorithms?: ssh2.ServerHostKeyAlgorithm[];
}

const RSA_ALGOS: ssh2.ServerHostKeyAlgorithm[] = ["rsa-sha2-512", "rsa-sha2-256", "ssh-rsa"];

/**
 * Reads a pin given as an OpenSSH public key line or a `SHA256:` fingerprint. With a full key
 * the handshake asks only for that key's algorithm, so a server with several host keys
 * presents the pinned one instead of failing the comparison.
 */
export function parsePin(pin: string): Pin {
  const text = pin.trim();
  if (/^SHA256:[A-Za-z0-9+/]{43}$/.test(text)) return { fingerprint: text };
  const parsed = ssh2.utils.parseKey(text);
  if (parsed instanceof Error || Array.isArray(parsed))
    throw new Error(
      `pinned host key is neither an OpenSSH public key line nor a SHA256 fingerprint: ${text}`,
    );
  const blob = parsed.getPublicSSH();
  const type = blobType(blob);
  const algorithms = type === "ssh-rsa" ? RSA_ALGOS : [type as ssh2.ServerHostKeyAlgorithm];
  return { fingerprint: fingerprintOf(blob), algorithms };
}

/**
 * Trust on first use: connects, reads the key the server presents and disconnects before
 * authenticating. The caller must record the answer explicitly and pin it from then on.
 */
export function scanHostKey(opts: {
  host: string;
  port?: number;
  timeoutMs?: number;
  algorithms?: ssh2.ServerHostKeyAlgorithm[];
}): Promise<HostKey> {
  return new Promise((resolve, reject) => {
    const conn = new ssh2.Client();
    let seen: HostKey | undefined;
    conn.on("error", (err) => {
      if (seen) resolve(seen);
      else reject(new Error(`cannot read the host key of ${opts.host}:${opts.port ?? 22}: ${err.message}`));
    });
    conn.on("close", () => {
      if (seen) resolve(seen);
    });
    conn.connect({
      host: opts.host,
      port: opts.port ?? 22,
      username: "pylon-scan",
      readyTimeout: opts.timeoutMs ?? 10_000,
      algorithms: opts.algorithms ? { serverHostKey: opts.algorithms } : undefined,
      hostVerifier: (key: Buffer) => {
        seen = hostKeyOf(key);
        return false; // never authenticate on a scan
      },
    });
  });
}
