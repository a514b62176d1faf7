import { readdir, readFile, stat } from "node:fs/promises";
import { join, relative, sep } from "node:path";

/**
 * The few things build detection needs from a checked-out repository. Small on purpose: the
 * agent backs it with `git ls-files` and `cat` inside the guest (through the CommandRunner),
 * tests with a fixture directory.
 */
export interface RepoFiles {
  /** Every tracked file, as a POSIX path relative to the repository (or subdirectory) root. */
  list(): Promise<readonly string[]>;
  /** A small text file's content; undefined when it does not exist or is too large to inspect. */
  read(path: string): Promise<string | undefined>;
}

/** Files detection reads are config and entry points; anything bigger is not worth inspecting. */
export const MAX_INSPECTED_FILE_BYTES = 256 * 1024;

const SKIPPED_DIRS = new Set([".git", "node_modules", ".venv", "venv", "__pycache__", ".next"]);

/** RepoFiles over a local directory (tests, and a checkout on the agent's own disk). */
export function directoryRepoFiles(root: string): RepoFiles {
  return {
    async list() {
      const out: string[] = [];
      const walk = async (dir: string): Promise<void> => {
        for (const entry of await readdir(dir, { withFileTypes: true })) {
          const full = join(dir, entry.name);
          if (entry.isDirectory()) {
            if (!SKIPPED_DIRS.has(entry.name)) await walk(full);
          } else if (entry.isFile()) {
            out.push(relative(root, full).split(sep).join("/"));
          }
        }
      };
      await walk(root);
      return out.sort();
    },
    async read(path) {
      if (path.split("/").includes("..")) return undefined;
      const full = join(root, ...path.split("/"));
      try {
        const info = await stat(full);
        if (!info.isFile() || info.size > MAX_INSPECTED_FILE_BYTES) return undefined;
        return await readFile(full, "utf8");
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
