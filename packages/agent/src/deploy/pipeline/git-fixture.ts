import { execFileSync } from "node:child_process";
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import http from "node:http";
import https from "node:https";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join, normalize } from "node:path";

// Test helper: a Git repository made from files at test time and served over Git's "dumb"
// HTTP protocol (static files after `git update-server-info`), so the guest clones a URL.

/** A served repository. */
export interface ServedRepo {
  url: string;
  /** The commit of the branch `main`. */
  commit: string;
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

/** A self-signed certificate for 127.0.0.1 (made with openssl), which is its own CA. */
export interface TestCert {
  key: string;
  cert: string;
  /** The certificate's file (give it to whatever must trust the server). */
  certFile: string;
}

/** Makes a self-signed certificate for IP 127.0.0.1 in `dir`. */
export async function selfSignedCert(dir: string): Promise<TestCert> {
  const keyFile = join(dir, "git-key.pem");
  const certFile = join(dir, "git-cert.pem");
  execFileSync(
    "openssl",
    [
      ...["req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"],
      ...["-keyout", keyFile, "-out", certFile, "-days", "2", "-subj", "/CN=127.0.0.1"],
      ...["-addext", "subjectAltName=IP:127.0.0.1"],
    ],
    { stdio: "ignore" },
  );
  return { key: await readFile(keyFile, "utf8"), cert: await readFile(certFile, "utf8"), certFile };
}

/**
 * Commits files to `main` of a new repository and serves it on 127.0.0.1, over HTTPS when a
 * certificate is given (URL `https://127.0.0.1:<port>/app.git`).
 */
export async function serveRepo(
  files: Record<string, string>,
  tls?: { key: string; cert: string },
): Promise<ServedRepo> {
  const dir = await mkdtemp(join(tmpdir(), "pylon-git-fixture-"));
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
  git(bare, "update-server-info");
  const handler: http.RequestListener = async (req, res) => {
    const path = normalize(decodeURIComponent(new URL(req.url ?? "/", "http://x").pathname));
    const file = join(dir, path);
    if (!file.startsWith(`${bare}/`) || !(await stat(file).catch(() => undefined))?.isFile()) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200).end(await readFile(file));
  };
  const server = tls ? https.createServer(tls, handler) : http.createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `${tls ? "https" : "http"}://127.0.0.1:${port}/app.git`,
    commit,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/**
 * A tiny Node app with its own Dockerfile. (A generated multi-stage Dockerfile is not used
 * here: the simulator's docker shim checks `COPY --from=<stage>` sources against the build
 * context and refuses them.)
 */
export const NODE_APP: Record<string, string> = {
  Dockerfile: 'FROM node:22-alpine\nWORKDIR /app\nCOPY . .\nEXPOSE 3000\nCMD ["node", "server.js"]\n',
  "package.json": JSON.stringify(
    { name: "hello", private: true, scripts: { start: "node server.js" } },
    null,
    2,
  ),
  "package-lock.json": JSON.stringify({ name: "hello", lockfileVersion: 3, requires: true, packages: {} }),
  "server.js":
    'require("node:http").createServer((q, s) => s.end("hello from the fixture app")).listen(process.env.PORT || 3000, process.env.HOST);\n',
};
