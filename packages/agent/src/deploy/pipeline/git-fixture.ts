import { execFileSync, spawn } from "node:child_process";
import { mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import http from "node:http";
import https from "node:https";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join, normalize } from "node:path";

// Test helper: a Git repository made from files at test time and served over Git's smart HTTP
// protocol (`git http-backend` as CGI, as a real Git host serves it), so the agent and the
// guest clone a URL, shallow clones and submodules included.

/** A served repository. */
export interface ServedRepo {
  url: string;
  /** The commit of the branch `main`. */
  commit: string;
  /** The bare repository on disk. */
  bare: string;
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
  submodules: Record<string, ServedRepo> = {},
): Promise<ServedRepo> {
  const dir = await mkdtemp(join(tmpdir(), "pylon-git-fixture-"));
  const work = join(dir, "work");
  const bare = join(dir, "app.git");
  for (const [path, content] of Object.entries(files)) {
    await mkdir(dirname(join(work, path)), { recursive: true });
    await writeFile(join(work, path), content);
  }
  git(work, "init", "-q", "-b", "main");
  // Added from disk (this process serves the URL and is blocked in execFileSync), then pointed at the URL.
  for (const [path, sub] of Object.entries(submodules)) {
    git(work, "-c", "protocol.file.allow=always", "submodule", "add", "-q", sub.bare, path);
    git(work, "config", "-f", ".gitmodules", `submodule.${path}.url`, sub.url);
  }
  git(work, "add", "-A");
  git(work, "commit", "-q", "-m", "fixture");
  const commit = git(work, "rev-parse", "HEAD");
  git(dir, "clone", "-q", "--bare", work, bare);
  git(bare, "config", "uploadpack.allowAnySHA1InWant", "true");
  git(bare, "config", "http.uploadpack", "true");
  const handler: http.RequestListener = (req, res) => {
    const url = new URL(req.url ?? "/", "http://x");
    const path = normalize(decodeURIComponent(url.pathname));
    if (!path.startsWith("/app.git/")) {
      res.writeHead(404).end();
      return;
    }
    const cgi = spawn("git", ["http-backend"], {
      env: {
        PATH: process.env.PATH,
        GIT_PROJECT_ROOT: dir,
        GIT_HTTP_EXPORT_ALL: "1",
        PATH_INFO: path,
        QUERY_STRING: url.search.slice(1),
        REQUEST_METHOD: req.method ?? "GET",
        CONTENT_TYPE: req.headers["content-type"] ?? "",
        ...(req.headers["git-protocol"] ? { GIT_PROTOCOL: String(req.headers["git-protocol"]) } : {}),
        REMOTE_ADDR: "127.0.0.1",
      },
    });
    req.pipe(cgi.stdin);
    const chunks: Buffer[] = [];
    cgi.stdout.on("data", (c: Buffer) => chunks.push(c));
    cgi.on("close", () => {
      const out = Buffer.concat(chunks);
      const split = out.indexOf("\r\n\r\n");
      const head = out.subarray(0, split).toString("latin1");
      let status = 200;
      const headers: Record<string, string> = {};
      for (const line of head.split("\r\n")) {
        const [k, ...v] = line.split(":");
        if (!k) continue;
        if (k.toLowerCase() === "status") status = Number.parseInt(v.join(":").trim(), 10);
        else headers[k] = v.join(":").trim();
      }
      res.writeHead(status, headers).end(out.subarray(split + 4));
    });
  };
  const server = tls ? https.createServer(tls, handler) : http.createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `${tls ? "https" : "http"}://127.0.0.1:${port}/app.git`,
    commit,
    bare,
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
