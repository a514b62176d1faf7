// Test helper: a Git repository served over SSH by a small ssh2 server (git-upload-pack run for
// real), with its own ed25519 host key, accepting one client key: a Git host for ssh:// URLs.
import { execFileSync, spawn } from "node:child_process";
import { mkdir, mkdtemp, rm, writeFile } from "node:fs/promises";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import ssh2 from "ssh2";
import { ed25519KeyPair } from "../../util/ssh-key.ts";
import { fingerprintOf } from "./git-host-key.ts";

export interface SshRepo {
  /** ssh://git@127.0.0.1:<port>/app.git */
  url: string;
  commit: string;
  /** The server's host key fingerprint (SHA256:…). */
  hostFingerprint: string;
  /** The private key the server accepts (the deploy key). */
  deployKey: string;
  close(): Promise<void>;
}

const git = (cwd: string, ...args: string[]) =>
  execFileSync("git", args, {
    cwd,
    encoding: "utf8",
    env: {
      ...process.env,
      GIT_AUTHOR_NAME: "t",
      GIT_AUTHOR_EMAIL: "t@example.test",
      GIT_COMMITTER_NAME: "t",
      GIT_COMMITTER_EMAIL: "t@example.test",
    },
  }).trim();

/** Commits `files` to `main` of a new repository and serves it over SSH on 127.0.0.1. */
export async function serveRepoOverSsh(files: Record<string, string>): Promise<SshRepo> {
  const dir = await mkdtemp(join(tmpdir(), "pylon-git-ssh-"));
  const work = join(dir, "work");
  const bare = join(dir, "app.git");
  for (const [path, content] of Object.entries(files)) {
    await mkdir(dirname(join(work, path)), { recursive: true });
    await writeFile(join(work, path), content);
  }
  git(work, "init", "-q", "-b", "main");
  git(work, "add", "-A");
  git(work, "commit", "-q", "-m", "fixture");
  const commit = git(work, "rev-parse", "HEAD");
  git(dir, "clone", "-q", "--bare", work, bare);

  const host = ed25519KeyPair("git-host");
  const client = ed25519KeyPair("deploy-key");
  const allowed = ssh2.utils.parseKey(client.public);
  const hostPub = ssh2.utils.parseKey(host.public);
  if (allowed instanceof Error || hostPub instanceof Error) throw new Error("bad test keys");
  const clients = new Set<ssh2.Connection>();
  const server = new ssh2.Server({ hostKeys: [host.private] }, (conn) => {
    clients.add(conn);
    conn.on("close", () => clients.delete(conn));
    conn.on("error", () => {});
    conn.on("authentication", (ctx) => {
      const ok =
        ctx.method === "publickey" &&
        ctx.key.algo === allowed.type &&
        ctx.key.data.equals(allowed.getPublicSSH()) &&
        (!ctx.signature || allowed.verify(ctx.blob ?? Buffer.alloc(0), ctx.signature, ctx.hashAlgo) === true);
      if (ok) ctx.accept();
      else ctx.reject(["publickey"]);
    });
    conn.on("ready", () => {
      conn.on("session", (accept) => {
        const session = accept();
        session.on("exec", (acceptExec, rejectExec, info) => {
          // Only `git-upload-pack '<path>'` for the one repository, as a Git host allows.
          const m = /^git-upload-pack '\/?app\.git'$/.exec(info.command);
          if (!m) return rejectExec();
          const channel = acceptExec();
          const child = spawn("git-upload-pack", [bare], { stdio: "pipe" });
          channel.pipe(child.stdin);
          child.stdout.pipe(channel, { end: false });
          child.stderr.on("data", (d) => channel.stderr.write(d));
          child.on("close", (code) => {
            channel.exit(code ?? 1);
            channel.end();
          });
        });
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `ssh://git@127.0.0.1:${port}/app.git`,
    commit,
    hostFingerprint: fingerprintOf(hostPub.getPublicSSH().toString("base64")),
    deployKey: client.private,
    close: async () => {
      for (const c of clients) c.end();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await rm(dir, { recursive: true, force: true });
    },
  };
}
