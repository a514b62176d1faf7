import { spawn, spawnSync } from "node:child_process";
import { cpSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { detectBuild } from "./detect.ts";
import { gitRepoFiles, type RunArgv } from "./git-repo-files.ts";

/** A local stand-in for the agent's command runner: argv straight to spawn, no shell. */
const runLocal: RunArgv = (argv) =>
  new Promise((resolve, reject) => {
    const child = spawn(argv[0]!, argv.slice(1), { stdio: ["ignore", "pipe", "ignore"] });
    let stdout = "";
    child.stdout.setEncoding("utf8").on("data", (d: string) => {
      stdout += d;
    });
    child.on("error", reject);
    child.on("close", (code) => resolve({ exitCode: code ?? 1, stdout }));
  });

const work = mkdtempSync(join(tmpdir(), "pylon-git-"));
afterAll(() => rmSync(work, { recursive: true, force: true }));

function gitRepo(name: string, fixture: string, subdir = ""): string {
  const dir = join(work, name);
  cpSync(fileURLToPath(new URL(`./fixtures/${fixture}`, import.meta.url)), join(dir, subdir), {
    recursive: true,
  });
  const git = (...args: string[]) => {
    const r = spawnSync("git", ["-C", dir, ...args], { encoding: "utf8" });
    if (r.status !== 0) throw new Error(r.stderr);
  };
  git("init", "-q");
  symlinkSync("/etc/hostname", join(dir, subdir, "escape.txt"));
  writeFileSync(join(dir, "untracked-but-ignored.txt"), "not committed");
  git("add", "--", ".", ":!untracked-but-ignored.txt");
  git("-c", "user.name=t", "-c", "user.email=t@example.org", "commit", "-qm", "fixture");
  return dir;
}

describe("gitRepoFiles", () => {
  it("lists and reads the committed tree, and detection works through it", async () => {
    const files = gitRepoFiles(runLocal, gitRepo("django", "django"));
    const list = await files.list();
    expect(list).toContain("bookshelf/settings.py");
    expect(list).not.toContain("untracked-but-ignored.txt");
    expect(await files.read("manage.py")).toContain("bookshelf.settings");
    expect(await files.read("missing.py")).toBeUndefined();
    expect(await detectBuild(files)).toMatchObject({ framework: "django", port: 8000 });
  });

  it("reads a symlink as its link text, never the file it points to, and refuses ..", async () => {
    const files = gitRepoFiles(runLocal, gitRepo("static", "static"));
    expect(await files.read("escape.txt")).toBe("/etc/hostname");
    expect(await files.read("../etc/passwd")).toBeUndefined();
  });

  it("scopes to a subdirectory", async () => {
    const files = gitRepoFiles(runLocal, gitRepo("mono", "fastapi", "services/api"), "services/api/");
    expect(await files.list()).toContain("pyproject.toml");
    expect(await detectBuild(files)).toMatchObject({ framework: "fastapi" });
    expect(() => gitRepoFiles(runLocal, "/x", "../outside")).toThrow(/must be a plain path/);
  });
});
