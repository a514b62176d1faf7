// A Git host over SSH for tests: ssh2's server with its own ed25519 host key, accepting one
// public key, answering `git-upload-pack '<path>'` with the real git-upload-pack on a bare
// repository. Nothing but upload-pack runs; the path must be the served repository's.
import { spawn } from "node:child_process";
import { createHash } from "node:crypto";
import type { AddressInfo } from "node:net";
import ssh2 from "ssh2";
import { ed25519KeyPair } from "../../util/ssh-key.ts";

export interface SshGitHost {
  /** `ssh://git@127.0.0.1:<port>/app.git` */
  url: string;
  /** The host key's fingerprint as ssh-keygen -l prints it. */
  fingerprint: string;
  /** The private key the server accepts (a deploy key). */
  deployKey: string;
  close(): Promise<void>;
}

/** Serves `bare` (a bare repository's folder) as /app.git over SSH on 127.0.0.1. */
export async function serveRepoOverSsh(bare: string): Promise<SshGitHost> {
  const host = ed25519KeyPair("fixture host");
  const client = ed25519KeyPair("deploy key");
  const allowed = ssh2.utils.parseKey(client.public);
  if (allowed instanceof Error) throw allowed;
  const hostBlob = host.public.trim().split(/\s+/)[1] ?? "";
  const fingerprint = `SHA256:${createHash("sha256").update(Buffer.from(hostBlob, "base64")).digest("base64").replace(/=+$/, "")}`;
  const server = new ssh2.Server({ hostKeys: [host.private] }, (conn) => {
    conn.on("error", () => {});
    conn.on("authentication", (ctx) => {
      if (
        ctx.method === "publickey" &&
        ctx.key.algo === allowed.type &&
        ctx.key.data.equals(allowed.getPublicSSH()) &&
        (!ctx.signature || (ctx.blob && allowed.verify(ctx.blob, ctx.signature, ctx.hashAlgo) === true))
      )
        return ctx.accept();
      ctx.reject(["publickey"]);
    });
    conn.on("session", (accept) => {
      accept().on("exec", (acceptExec, reject, info) => {
        const m = /^git-upload-pack '\/?app\.git'$/.exec(info.command);
        if (!m) return reject();
        const stream = acceptExec();
        const child = spawn("git-upload-pack", [bare], { stdio: ["pipe", "pipe", "pipe"] });
        stream.pipe(child.stdin);
        child.stdout.pipe(stream, { end: false });
        child.stderr.pipe(stream.stderr);
        child.on("close", (code) => {
          stream.exit(code ?? 1);
          stream.end();
        });
      });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", () => resolve()));
  const { port } = server.address() as AddressInfo;
  return {
    url: `ssh://git@127.0.0.1:${port}/app.git`,
    fingerprint,
    deployKey: client.private,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}
