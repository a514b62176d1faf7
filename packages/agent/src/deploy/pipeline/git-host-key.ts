// The SSH host key of the Git host an ssh:// (or user@host:path) repository is cloned from.
// Without it pinned the key is trusted on first use, shown to the user and required from then
// on; pinned, only that key is accepted. Either way ssh checks it strictly against a known_hosts
// file holding that one key (never StrictHostKeyChecking=accept-new, which trusts silently).
import { createHash } from "node:crypto";
import type { CommandRunner } from "../../runners/types.ts";
import { StepFailure } from "./steps.ts";

export interface SshTarget {
  host: string;
  port: number;
}

/** The host and port of an ssh:// or scp-like (user@host:path) URL; null for https. */
export function sshTargetOf(url: string): SshTarget | null {
  const full = /^ssh:\/\/[^@/]+@([^:/]+)(?::(\d+))?\//.exec(url);
  const scp = full ? null : /^[A-Za-z0-9._-]+@([A-Za-z0-9.-]+):/.exec(url);
  const host = full?.[1] ?? scp?.[1];
  if (!host) return null;
  // An option-looking host name is refused, as git itself refuses it (CVE-2017-1000117).
  if (host.startsWith("-")) throw new StepFailure(`'${host}' is not a host name`);
  return { host, port: full?.[2] ? Number(full[2]) : 22 };
}

export interface HostKey {
  keyType: string;
  /** The key as known_hosts and ssh-keyscan write it (base64). */
  blob: string;
  /** As `ssh-keygen -l` prints it: SHA256:<base64, no padding>. */
  fingerprint: string;
}

/** The SHA256 fingerprint of a base64 key blob, as OpenSSH prints it. */
export function fingerprintOf(blob: string): string {
  const digest = createHash("sha256").update(Buffer.from(blob, "base64")).digest("base64");
  return `SHA256:${digest.replace(/=+$/, "")}`;
}

/** The keys in ssh-keyscan's output ("<host> <type> <base64>" lines; "#" lines are comments). */
export function parseKeyscan(text: string): HostKey[] {
  const keys: HostKey[] = [];
  for (const line of text.split("\n")) {
    const [, keyType, blob] = line.trim().split(/\s+/);
    if (!keyType || !blob || line.startsWith("#") || !/^[A-Za-z0-9+/]+=*$/.test(blob)) continue;
    keys.push({ keyType, blob, fingerprint: fingerprintOf(blob) });
  }
  return keys;
}

/** The key type trusted on first use when the host offers several: the strongest. */
const PREFERENCE = [
  "ssh-ed25519",
  "ecdsa-sha2-nistp521",
  "ecdsa-sha2-nistp384",
  "ecdsa-sha2-nistp256",
  "ssh-rsa",
];
/** The signature algorithms of a key type (RSA keys sign with SHA-2 today). */
const ALGORITHMS: Record<string, string> = { "ssh-rsa": "rsa-sha2-512,rsa-sha2-256" };

/** What ssh needs to trust exactly one key: its known_hosts line and HostKeyAlgorithms. */
export interface TrustedHost {
  key: HostKey;
  firstUse: boolean;
  knownHostsLine: string;
  hostKeyAlgorithms: string;
}

/** Picks the key to trust from those the host offered: the pinned one, or on first use the strongest. */
export function chooseHostKey(target: SshTarget, offered: HostKey[], pin: string | undefined): TrustedHost {
  const name = target.port === 22 ? target.host : `[${target.host}]:${target.port}`;
  if (offered.length === 0)
    throw new StepFailure(`could not read the SSH host key of ${name} (ssh-keyscan found none)`);
  const rank = (k: HostKey) => {
    const i = PREFERENCE.indexOf(k.keyType);
    return i < 0 ? PREFERENCE.length : i;
  };
  const key = pin
    ? offered.find((k) => k.fingerprint === pin)
    : [...offered].sort((a, b) => rank(a) - rank(b))[0];
  if (!key)
    throw new StepFailure(
      `the SSH host key of ${name} is not the pinned ${pin}: it offers ${offered
        .map((k) => `${k.fingerprint} (${k.keyType})`)
        .join(", ")}. If the host's key really changed, pin the new fingerprint in the app's settings`,
    );
  return {
    key,
    firstUse: !pin,
    knownHostsLine: `${name} ${key.keyType} ${key.blob}\n`,
    hostKeyAlgorithms: ALGORITHMS[key.keyType] ?? key.keyType,
  };
}

/** Reads the host's keys from inside the guest (the network the clone uses) and chooses one. */
export async function trustGitHost(
  runner: CommandRunner,
  target: SshTarget,
  pin: string | undefined,
  signal?: AbortSignal,
): Promise<TrustedHost> {
  const r = await runner.run(
    ["ssh-keyscan", "-T", "15", "-p", String(target.port), "-t", "ed25519,ecdsa,rsa", "--", target.host],
    { timeoutMs: 60_000, maxOutputBytes: 64 * 1024, ...(signal ? { signal } : {}) },
  );
  if (r.exitCode === 127) throw new StepFailure("ssh-keyscan is not installed in the guest (openssh-client)");
  return chooseHostKey(target, parseKeyscan(r.stdout), pin);
}
