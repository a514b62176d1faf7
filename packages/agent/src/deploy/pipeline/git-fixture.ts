import { execFileSync } from "node:child_process";
import { mkdir, mkdtemp, readFile, rm, stat, writeFile } from "node:fs/promises";
import http from "node:http";
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

/** Commits files to `main` of a new repository and serves it on 127.0.0.1. */
export async function serveRepo(files: Record<string, string>): Promise<ServedRepo> {
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
  const server = http.createServer(async (req, res) => {
    const path = normalize(decodeURIComponent(new URL(req.url ?? "/", "http://x").pathname));
    const file = join(dir, path);
    if (!file.startsWith(`${bare}/`) || !(await stat(file).catch(() => undefined))?.isFile()) {
      res.writeHead(404).end();
      return;
    }
    res.writeHead(200).end(await readFile(file));
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}/app.git`,
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
