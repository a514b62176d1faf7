import type { RepoFiles } from "./repo-files.ts";

/** The `web:` command of a Procfile (Heroku's convention), or null. */
export async function procfileWeb(files: RepoFiles): Promise<string | null> {
  const text = await files.read("Procfile");
  if (text === undefined) return null;
  const line = /^web:\s*(.+?)\s*$/m.exec(text)?.[1];
  // A Procfile line is one shell command; control characters never reach a Dockerfile.
  return line && ![...line].some((c) => c.charCodeAt(0) < 0x20) ? line : null;
}
