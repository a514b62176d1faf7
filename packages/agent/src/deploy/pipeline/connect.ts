import { randomBytes } from "node:crypto";
import { link, mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import ssh2 from "ssh2";
import { scanHostKey } from "../../runners/host-key.ts";
import { PctRunner } from "../../runners/pct.ts";
import { PctSessionRunner } from "../../runners/pct-session.ts";
import { SshRunner } from "../../runners/ssh.ts";
import type { CommandRunner, PushSource, RunOptions, RunResult } from "../../runners/types.ts";
import { errnoCode } from "../../util/errors.ts";
import { ed25519KeyPair } from "../../util/ssh-key.ts";
import type { AppJobDeps, GuestRef } from "./deps.ts";
import { StepFailure } from "./steps.ts";

/** The public half of a private key, as an authorized_keys line. */
function keyPairOf(privateKey: string): { private: string; public: string } {
  const parsed = ssh2.utils.parseKey(privateKey);
  const key = Array.isArray(parsed) ? parsed[0] : parsed;
  if (!key || key instanceof Error) throw new Error(`the agent's SSH key is unreadable: ${String(key)}`);
  return {
    private: privateKey,
    public: `${key.type} ${key.getPublicSSH().toString("base64")} pylon-agent\n`,
  };
}

/**
 * The agent's key pair for VMs (cloud-init `sshkeys`), generated once into the state dir. The
 * private key appears under its name only complete (written aside, then hard-linked, which
 * fails if another deploy got there first), and the public half is derived from it, so
 * concurrent first deploys all end up with the same, whole key.
 */
export async function agentKeyPair(stateDir: string): Promise<{ private: string; public: string }> {
  const dir = join(stateDir, "ssh");
  const priv = join(dir, "id_ed25519");
  try {
    return keyPairOf(await readFile(priv, "utf8"));
  } catch (err) {
    if (errnoCode(err) !== "ENOENT") throw err;
  }
  await mkdir(dir, { recursive: true, mode: 0o700 });
  const tmp = `${priv}.${process.pid}.${randomBytes(6).toString("hex")}.tmp`;
  await writeFile(tmp, ed25519KeyPair("pylon-agent").private, { mode: 0o600 });
  try {
    await link(tmp, priv);
  } catch (err) {
    if (errnoCode(err) !== "EEXIST") throw err;
  } finally {
    await rm(tmp, { force: true });
  }
  const keys = keyPairOf(await readFile(priv, "utf8"));
  // For people looking at the host (`ssh -i`); nothing reads it back.
  await writeFile(`${priv}.pub`, keys.public, { mode: 0o644 });
  return keys;
}

/** Where a VM's pinned host key is kept (so later jobs on the app pin the same key). */
function hostKeyFile(stateDir: string, vmid: number): string {
  return join(stateDir, "ssh", "known-hosts", `${vmid}.json`);
}

/** The pinned host key and port of a VM, if one was recorded. */
export async function pinnedHostKey(
  stateDir: string,
  vmid: number,
): Promise<{ key: string; port: number } | undefined> {
  try {
    const raw: unknown = JSON.parse(await readFile(hostKeyFile(stateDir, vmid), "utf8"));
    if (typeof raw === "object" && raw !== null && "key" in raw && "port" in raw)
      return { key: String(raw.key), port: Number(raw.port) };
  } catch (err) {
    if (errnoCode(err) !== "ENOENT") throw err;
  }
  return undefined;
}

/** Forgets a VM's host key (its guest was destroyed; a new VM may reuse the id). */
export async function forgetHostKey(stateDir: string, vmid: number): Promise<void> {
  await rm(hostKeyFile(stateDir, vmid), { force: true });
}

/**
 * Trust on first use, once: reads the host key a freshly cloud-initialised VM presents and
 * records it; every later connection pins that key and refuses any other.
 */
export async function pinHostKey(
  deps: AppJobDeps,
  vmid: number,
  address: string,
  deadline: number,
  signal: AbortSignal,
): Promise<{ key: string; port: number }> {
  const known = await pinnedHostKey(deps.stateDir, vmid);
  if (known) return known;
  let last = "no answer";
  while (Date.now() < deadline) {
    for (const port of deps.sshPorts) {
      try {
        const key = await scanHostKey({ host: address, port, timeoutMs: 2000 });
        const file = hostKeyFile(deps.stateDir, vmid);
        await mkdir(join(deps.stateDir, "ssh", "known-hosts"), { recursive: true, mode: 0o700 });
        await writeFile(file, JSON.stringify({ key: key.publicKey, port, fingerprint: key.fingerprint }), {
          mode: 0o600,
        });
        return { key: key.publicKey, port };
      } catch (err) {
        last = err instanceof Error ? err.message : String(err);
      }
    }
    if (signal.aborted) throw signal.reason;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new StepFailure(`the VM's SSH server at ${address} did not answer in time (${last})`);
}

/** Runs every command through `sudo -n` (a cloud-init user that is not root). */
class SudoRunner implements CommandRunner {
  constructor(readonly inner: CommandRunner) {}
  run(argv: readonly string[], opts?: RunOptions): Promise<RunResult> {
    return this.inner.run(["sudo", "-n", "--", ...argv], opts);
  }
  async push(source: PushSource, guestPath: string, mode?: number): Promise<void> {
    const tmp = `/tmp/pylon-push-${process.pid}-${Date.now()}`;
    await this.inner.push(source, tmp, 0o600);
    const r = await this.run(["install", "-D", "-m", (mode ?? 0o644).toString(8), "--", tmp, guestPath]);
    await this.inner.run(["rm", "-f", "--", tmp]);
    if (r.exitCode !== 0) throw new StepFailure(`writing ${guestPath} failed: ${r.stderr.trim()}`);
  }
}

/** An open runner and how to close it. */
export interface OpenRunner {
  runner: CommandRunner;
  close(): Promise<void>;
}

/**
 * The runner for a guest: `pct exec` for a CT, SSH with the pinned host key for a VM. With
 * `session` (a deploy's many commands), a CT's commands share one `pct exec` (PctSessionRunner)
 * instead of paying pct's start-up each.
 */
export async function openRunner(
  deps: AppJobDeps,
  guest: GuestRef & { hostKey?: string | null; sshPort?: number | null },
  opts: { session?: boolean } = {},
): Promise<OpenRunner> {
  const wrap = (r: CommandRunner) => (deps.wrapRunner ? deps.wrapRunner(guest, r) : r);
  if (guest.type === "lxc") {
    const pct = { vmid: guest.vmid, pctPath: deps.pctPath, processEnv: deps.pctEnv };
    if (!opts.session) return { runner: wrap(new PctRunner(pct)), close: async () => {} };
    const session = new PctSessionRunner(pct);
    return { runner: wrap(session), close: async () => session.close() };
  }
  const pinned = guest.hostKey
    ? { key: guest.hostKey, port: guest.sshPort ?? deps.sshPorts[0] ?? 22 }
    : await pinnedHostKey(deps.stateDir, guest.vmid);
  if (!pinned || !guest.address)
    throw new StepFailure(`no pinned SSH host key or address for VM ${guest.vmid}; redeploy it to pin one`);
  const keys = await agentKeyPair(deps.stateDir);
  const ssh = new SshRunner({
    host: guest.address,
    port: pinned.port,
    username: deps.vmUser,
    privateKey: keys.private,
    hostKey: pinned.key,
  });
  const id = await ssh.run(["id", "-u"]);
  const runner = id.stdout.trim() === "0" ? ssh : new SudoRunner(ssh);
  return { runner: wrap(runner), close: () => ssh.close() };
}
