// Secret values never leave the agent in a job's text: not in its live output (live-output.ts),
// its log, step and progress messages, its error, nor the agent's own log. A failed command's
// stderr often echoes what it was given (a password in a connection string, a key it could not
// parse), and that text becomes the job's error.

/** What a masked value is shown as. */
export const MASK = "••••••";

/** Shorter values are not masked: they would blank out ordinary words. */
const MIN_LENGTH = 4;
/** Lines of a multi-line secret (a PEM key's body) masked on their own when a tool prints one. */
const MIN_LINE_LENGTH = 16;

const isRecord = (v: unknown): v is Record<string, unknown> =>
  typeof v === "object" && v !== null && !Array.isArray(v);

/**
 * The secret values a job's params carry: an app deploy's secret variables, its Git deploy key
 * and the catalog's generated passwords (`mask`). Other kinds carry none.
 */
export function secretValues(kind: string, params: unknown): string[] {
  if (kind !== "app.deploy" || !isRecord(params)) return [];
  const out: string[] = [];
  if (isRecord(params.secrets))
    for (const v of Object.values(params.secrets)) if (typeof v === "string") out.push(v);
  if (typeof params.deployKey === "string") out.push(params.deployKey);
  if (Array.isArray(params.mask)) for (const v of params.mask) if (typeof v === "string") out.push(v);
  return out;
}

/** A function that replaces every occurrence of the values (and long lines of multi-line ones) with MASK. */
export function masker(values: readonly string[]): (text: string) => string {
  const parts = new Set<string>();
  for (const v of values) {
    const trimmed = v.trim();
    if (trimmed.length >= MIN_LENGTH) parts.add(trimmed);
    if (v.length >= MIN_LENGTH) parts.add(v);
    if (v.includes("\n"))
      for (const line of v.split("\n")) if (line.trim().length >= MIN_LINE_LENGTH) parts.add(line.trim());
  }
  // Longest first, so a value containing another is masked whole.
  const masks = [...parts].sort((a, b) => b.length - a.length);
  if (masks.length === 0) return (text) => text;
  return (text) => {
    let out = text;
    for (const m of masks) if (out.includes(m)) out = out.split(m).join(MASK);
    return out;
  };
}
