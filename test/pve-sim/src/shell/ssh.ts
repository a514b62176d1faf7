import { spawn } from "node:child_process";
import { timingSafeEqual } from "node:crypto";
import type { AddressInfo } from "node:net";
import ssh2 from "ssh2";
import type { Tracked, World } from "../world.ts";

const { Server, utils } = ssh2;

/** An SSH key pair in OpenSSH format. */
export interface KeyPair {
  privateKey: string;
  publicKey: string;
}

/**
 * Generates an ed25519 key pair (pure JS, no ssh-keygen needed). ssh2's generator writes a
 * private key its own parser calls malformed about once in 250 times, so each is checked.
 */
export function generateKeyPair(comment = ""): KeyPair {
  for (let i = 0; i < 20; i++) {
    const k = utils.generateKeyPairSync("ed25519", { comment });
    if (!(utils.parseKey(k.private) instanceof Error) && !(utils.parseKey(k.public) instanceof Error))
      return { privateKey: k.private, publicKey: k.public };
  }
  throw new Error("could not generate an SSH key that ssh2 reads back");
}

/** What a session runs: the command line through bash, with its env and cwd. */
export interface ShellSpec {
  env: Record<string, string>;
  cwd: string;
  /** bash (or another shell) and the args that precede `-c <command>`. */
  shell: string[];
  description: string;
}

/** Accepted public keys, checked like sshd's authorized_keys. */
export class AuthorizedKeys {
  private readonly keys: ReturnType<typeof utils.parseKey>[] = [];

  /** Adds OpenSSH public key lines (bad lines are ignored). */
  add(lines: string): void {
    for (const line of lines.split("\n")) {
      if (!line.trim()) continue;
      const k = utils.parseKey(line.trim());
      if (!(k instanceof Error)) this.keys.push(k);
    }
  }

  /** Finds the key matching an offered algorithm + blob. */
  match(algo: string, data: Buffer): ReturnType<typeof utils.parseKey> | undefined {
    return this.keys.find((k) => {
      if (k instanceof Error || k.type !== algo) return false;
      const pub = k.getPublicSSH();
      return pub.length === data.length && timingSafeEqual(pub, data);
    });
  }
}

/**
 * Starts an ssh2 server that only accepts public keys and runs each exec request with
 * real bash (no pty); a `shell` request gets bash reading the channel.
 */
export function startSshServer(
  world: World,
  host: string,
  port: number,
  hostKey: string,
  keys: AuthorizedKeys,
  spec: ShellSpec,
): Promise<{ port: number; close: () => Promise<void> }> {
  const clients = new Set<{ end: () => void }>();
  const server = new Server({ hostKeys: [hostKey] }, (client) => {
    clients.add(client);
    client.on("close", () => clients.delete(client));
    client.on("error", () => {});
    client.on("authentication", (ctx) => {
      if (ctx.method !== "publickey") return ctx.reject(["publickey"]);
      const key = keys.match(ctx.key.algo, ctx.key.data);
      if (!key || key instanceof Error) return ctx.reject(["publickey"]);
      if (ctx.signature && ctx.blob && key.verify(ctx.blob, ctx.signature, ctx.hashAlgo) !== true)
        return ctx.reject(["publickey"]);
      ctx.accept();
    });
    client.on("ready", () => {
      client.on("session", (accept) => {
        const session = accept();
        const env: Record<string, string> = {};
        session.on("pty", (acc) => acc?.());
        session.on("env", (acc, _rej, info) => {
          env[info.key] = info.val;
          acc?.();
        });
        const run = (command: string | undefined, stream: ssh2.ServerChannel): void => {
          const args =
            command === undefined ? [...spec.shell.slice(1), "-s"] : [...spec.shell.slice(1), "-c", command];
          const child = spawn(spec.shell[0]!, args, {
            cwd: spec.cwd,
            env: { ...spec.env, ...env },
            detached: true,
          });
          const tracked: Tracked = {
            kind: "ssh-session",
            pid: child.pid,
            description: `${spec.description}: ${command ?? "<shell>"}`,
            stop: () => {
              try {
                if (child.pid) process.kill(-child.pid, "SIGKILL");
              } catch {}
            },
          };
          world.tracked.add(tracked);
          stream.pipe(child.stdin);
          child.stdin.on("error", () => {});
          child.stdout.pipe(stream, { end: false });
          child.stderr.pipe(stream.stderr, { end: false });
          child.on("close", (code, signal) => {
            world.tracked.delete(tracked);
            if (signal) stream.exit(signal.replace(/^SIG/, ""), false, "");
            else stream.exit(code ?? 0);
            stream.end();
          });
          child.on("error", () => {
            world.tracked.delete(tracked);
            stream.exit(127);
            stream.end();
          });
        };
        session.on("exec", (acc, _rej, info) => run(info.command, acc()));
        session.on("shell", (acc) => run(undefined, acc()));
      });
    });
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, host, () => {
      const actual = (server.address() as AddressInfo).port;
      resolve({
        port: actual,
        close: () =>
          new Promise<void>((done) => {
            for (const c of clients) c.end();
            server.close(() => done());
          }),
      });
    });
  });
}
