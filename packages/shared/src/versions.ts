/**
 * Compares two version-bearing names the way people read them: runs of digits as numbers,
 * the rest as text (`debian-12-standard_12.12-1` is newer than `…_12.7-1`; `8.10.0` > `8.9.3`).
 */
export function compareVersions(a: string, b: string): number {
  const parts = (s: string) => s.match(/\d+|\D+/g) ?? [];
  const pa = parts(a);
  const pb = parts(b);
  for (let i = 0; i < Math.max(pa.length, pb.length); i++) {
    const x = pa[i];
    const y = pb[i];
    if (x === undefined) return -1;
    if (y === undefined) return 1;
    const nx = /^\d/.test(x);
    const ny = /^\d/.test(y);
    const d = nx && ny ? Number(x) - Number(y) : x < y ? -1 : x > y ? 1 : 0;
    if (d !== 0) return d < 0 ? -1 : 1;
  }
  return 0;
}

/** The newest of some version-bearing names (undefined when there are none). */
export function newest(names: readonly string[]): string | undefined {
  return [...names].sort(compareVersions).at(-1);
}

/** Whether `version` (`8.2.4`, `9.0.10`) is at least `floor` (`8.2`). */
export function atLeast(version: string, floor: string): boolean {
  return compareVersions(version, floor) >= 0;
}
