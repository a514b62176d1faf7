import { MAX_INSPECTED_FILE_BYTES, type RepoFiles } from "./repo-files.ts";

/** Runs a command given as argv (never through a shell) where the checkout lives. */
export type RunArgv = (argv: readonly string[]) => Promise<{ exitCode: number; stdout: string }>;

/**
 * RepoFiles over a git checkout reached through a command runner (`pct exec`, SSH, guest agent).
 * Lists and reads the committed tree at HEAD (`git ls-tree`, `git cat-file`), not the work tree:
 * a symlink is read as its link text, so a repository cannot point detection at guest files
 * outside itself. `subdirectory` scopes everything to the deploy's optional subdirectory.
 */
export function gitRepoFiles(run: RunArgv, checkout: string, subdirectory = ""): RepoFiles {
  const sub = subdirectory.replace(/^\/+|\/+$/g, "");
  if (sub.split("/").some((part) => part === ".." || part === ".") || sub.includes("\0")) {
    throw new Error(`subdirectory '${subdirectory}' must be a plain path inside the repository`);
  }
  const treeish = sub ? `HEAD:${sub}` : "HEAD";
  const git = (...args: string[]) => run(["git", "-C", checkout, ...args]);
  return {
    async list() {
      const r = await git("ls-tree", "-r", "-z", "--name-only", treeish);
      if (r.exitCode !== 0) throw new Error(`git ls-tree failed in ${checkout} (exit ${r.exitCode})`);
      return r.stdout.split("\0").filter((p) => p !== "");
    },
    async read(path) {
      if (path.split("/").includes("..") || path.startsWith("/") || path.includes("\0")) return undefined;
      const spec = `${treeish}/${path}`.replace(/^HEAD\//, "HEAD:");
      const size = await git("cat-file", "-s", spec);
      if (size.exitCode !== 0 || Number(size.stdout.trim()) > MAX_INSPECTED_FILE_BYTES) return undefined;
      const r = await git("cat-file", "blob", spec);
      return r.exitCode === 0 ? r.stdout : undefined;
    },
  };
}
