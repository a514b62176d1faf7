import type { RepoFiles } from "./repo-files.ts";

/** How code names its port: `.listen(8080)`, `PORT || 8080`, `port: 8080`, `port = 8080`. */
const PORT_HINTS = [
  /\.listen\(\s*(\d{2,5})\b/,
  /PORT\)?\s*(?:\|\||\?\?|,)\s*["']?(\d{2,5})\b/,
  /\bport\s*[:=]\s*(\d{2,5})\b/i,
];

const ENTRY_GUESSES = [
  "server.js",
  "index.js",
  "app.js",
  "main.js",
  "src/index.js",
  "src/server.js",
  "src/main.ts",
  "src/index.ts",
  "src/server.ts",
  "main.go",
];

/** The port an entry file (or a conventional one) listens on, when the code says. */
export async function findPort(
  files: RepoFiles,
  entry: string | null,
): Promise<{ port: number; file: string } | undefined> {
  const list = new Set(await files.list());
  for (const file of [entry, ...ENTRY_GUESSES]) {
    if (!file || !list.has(file)) continue;
    const source = (await files.read(file)) ?? "";
    for (const re of PORT_HINTS) {
      const port = Number(re.exec(source)?.[1]);
      if (port >= 80 && port <= 65_535) return { port, file };
    }
  }
  return undefined;
}
