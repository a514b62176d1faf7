import { constants } from "node:fs";
import { lstat, open, readdir } from "node:fs/promises";
import { join, relative, sep } from "node:path";

/**
 * The few things build detection needs from a checked-out repository. Small on purpose: the
 * agent backs it with a shallow clone on its own disk, tests with a fixture directory.
 */
export interface RepoFiles {
  /** Every file, as a POSIX path relative to the repository (or subdirectory) root. */
  list(): Promise<readonly string[]>;
  /** A small text file's content; undefined when it does not exist or is too large to inspect. */
  read(path: string): Promise<string | undefined>;
}

/** Files detection reads are config and entry points; anything bigger is not worth inspecting. */
export const MAX_INSPECTED_FILE_BYTES = 256 * 1024;
/** Detection looks at names only; a tree this large is listed up to here. */
export const MAX_LISTED_FILES = 50_000;

const SKIPPED_DIRS = new Set([".git", "node_modules", ".venv", "venv", "__pycache__", ".next"]);

/**
 * RepoFiles over a local directory (the agent's checkout, the `plan` command, tests). Only
 * regular files reached without following a symlink are listed, and only listed files are
 * read (opened with O_NOFOLLOW): a repository cannot make detection read the host's files.
 */
export function directoryRepoFiles(root: string): RepoFiles {
  let listed: Promise<string[]> | undefined;
  const list = () => {
    listed ??= (async () => {
      const out: string[] = [];
      const walk = async (dir: string): Promise<void> => {
        const entries = await readdir(dir, { withFileTypes: true });
        entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
        for (const entry of entries) {
          if (out.length >= MAX_LISTED_FILES) return;
          const full = join(dir, entry.name);
          if (entry.isDirectory()) {
            if (!SKIPPED_DIRS.has(entry.name)) await walk(full);
          } else if (entry.isFile()) out.push(relative(root, full).split(sep).join("/"));
        }
      };
      await walk(root);
      return out.sort();
    })();
    return listed;
  };
  return {
    list,
    async read(path) {
      if (!(await list()).includes(path)) return undefined;
      const full = join(root, ...path.split("/"));
      try {
        const info = await lstat(full);
        if (!info.isFile() || info.size > MAX_INSPECTED_FILE_BYTES) return undefined;
        const handle = await open(full, constants.O_RDONLY | constants.O_NOFOLLOW);
        try {
          return await handle.readFile("utf8");
        } finally {
          await handle.close();
        }
      } catch {
        return undefined;
      }
    },
  };
}

/** RepoFiles over an in-memory map of path to content (handy for one-off tests). */
export function memoryRepoFiles(files: Readonly<Record<string, string>>): RepoFiles {
  return {
    list: async () => Object.keys(files).sort(),
    read: async (path) => (Object.hasOwn(files, path) ? files[path] : undefined),
  };
}
