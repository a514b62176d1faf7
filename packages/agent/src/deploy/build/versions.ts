import semver from "semver";
import type { PlanRuntime } from "./types.ts";

/**
 * Runtime lines Pylon builds on, newest patch known when this agent was released. A requested
 * version is matched against these; the chosen line's image tag floats within the line (security
 * fixes), unless the repository pins an exact version, which is used as is.
 */
export const NODE_LINES = [
  { version: "18.20.8", eol: true },
  { version: "20.20.2", eol: true },
  { version: "22.23.5", eol: false },
  { version: "24.22.3", eol: false },
  { version: "26.12.1", eol: false },
] as const;
export const DEFAULT_NODE = "24";

export const PYTHON_LINES = [
  { version: "3.9.25", eol: true },
  { version: "3.10.19", eol: false },
  { version: "3.11.14", eol: false },
  { version: "3.12.12", eol: false },
  { version: "3.13.9", eol: false },
  { version: "3.14.0", eol: false },
] as const;
export const DEFAULT_PYTHON = "3.13";

export const GO_LINES = [
  { version: "1.23.12", eol: true },
  { version: "1.24.9", eol: false },
  { version: "1.25.3", eol: false },
] as const;
export const DEFAULT_GO = "1.25";

/** nvm's LTS code names (`lts/jod` in .nvmrc). */
const NODE_LTS_NAMES: Record<string, string> = {
  hydrogen: "18",
  iron: "20",
  jod: "22",
  krypton: "24",
};

/** A version constraint and where it came from; implied ones come from tools and dependencies. */
export interface VersionAsk {
  range: string;
  from: string;
  implied?: boolean;
}

type Line = { version: string; eol: boolean };

/** Normalises what users write (`v20`, `20.x`, `>= 18`, `lts/iron`) into a semver range, or null. */
export function nodeRange(text: string): string | null {
  const t = text.trim().replace(/^v(?=\d)/, "");
  if (!t) return null;
  const lts = /^lts\/(\*|[a-z]+)$/i.exec(t);
  if (lts) return lts[1] === "*" ? DEFAULT_NODE : (NODE_LTS_NAMES[lts[1]!.toLowerCase()] ?? null);
  if (/^(node|stable|latest|current)$/i.test(t)) return ">=0";
  return semver.validRange(t, { loose: true }) ? t : null;
}

/** PEP 440 specifiers (`>=3.10,<3.13`, `~=3.11`, `==3.12.*`, `^3.10` from Poetry) as a semver range. */
export function pythonRange(text: string): string | null {
  const parts = text
    .split(",")
    .map((p) => p.trim())
    .filter(Boolean);
  const out: string[] = [];
  for (const p of parts) {
    const m = /^(~=|===?|!=|<=|>=|<|>|\^|~)?\s*v?(\d+(?:\.\d+){0,2})(\.\*)?$/.exec(p.replace(/^python-/, ""));
    if (!m) return null;
    const [, op = "", ver, star] = m;
    const nums = ver!.split(".").map(Number);
    if (op === "~=") {
      if (nums.length < 2) return null;
      const upper = [...nums.slice(0, -2), nums.at(-2)! + 1].join(".");
      out.push(`>=${ver} <${upper}.0`);
    } else if (op === "==" || op === "===" || op === "") {
      out.push(star ? `${ver}.x` : nums.length < 3 ? `${ver}.x` : ver!);
    } else if (op === "!=") {
      out.push(
        star || nums.length < 3
          ? `<${ver} || >=${[...nums.slice(0, -1), nums.at(-1)! + 1].join(".")}`
          : `!${ver}`,
      );
    } else out.push(`${op}${ver}`);
  }
  if (out.length === 0) return null;
  // "!=" turns into an alternative; keep it simple: drop exclusions that make the range unparsable.
  const range = out.filter((r) => !r.startsWith("!")).join(" ");
  return semver.validRange(range, { loose: true }) ? range : null;
}

/** Whether a version string names one exact release (`20.11.1`), not a line. */
function exactVersion(text: string): string | null {
  const t = text.trim().replace(/^v/, "");
  return /^\d+\.\d+\.\d+$/.test(t) ? t : null;
}

export interface Resolved {
  /** The version for the image tag: a line (`24`, `3.13`) or an exact release. */
  tag: string;
  /** The version as shown to the user. */
  version: string;
  from: string;
  warnings: string[];
}

/**
 * Chooses a runtime version. The first version the repository states wins: an exact release is
 * used as is; a range gets the default line when it allows it, else the newest line it allows.
 * Without a stated version, the default line is used unless what the tools and dependencies
 * need rules it out. Any ask the choice does not meet is a warning naming both.
 */
export function resolveVersion(
  runtime: "Node.js" | "Python" | "Go",
  asks: readonly VersionAsk[],
  lines: readonly Line[],
  fallback: string,
  lineOf: (v: string) => string,
): Resolved {
  const warnings: string[] = [];
  const defaultLine = lines.find((l) => lineOf(l.version) === fallback)!;
  const stated = asks.find((a) => !a.implied);
  let chosen: { tag: string; version: string; from: string } | undefined;
  if (stated) {
    const exact = exactVersion(stated.range);
    if (exact) {
      const line = lines.find((l) => lineOf(l.version) === lineOf(exact));
      if (line && semver.lte(exact, line.version)) chosen = { tag: exact, version: exact, from: stated.from };
    } else {
      const allowed = lines.filter((l) => semver.satisfies(l.version, stated.range, { loose: true }));
      const pick = allowed.includes(defaultLine) ? defaultLine : allowed.at(-1);
      if (pick) chosen = { tag: lineOf(pick.version), version: lineOf(pick.version), from: stated.from };
    }
    if (!chosen)
      warnings.push(
        `${stated.from} asks for ${runtime} ${stated.range}, which Pylon cannot provide; using ${runtime} ${fallback}`,
      );
  } else {
    const implied = asks.filter((a) => a.implied);
    const allowed = lines.filter((l) =>
      implied.every((a) => semver.satisfies(l.version, a.range, { loose: true })),
    );
    const pick = allowed.includes(defaultLine) ? defaultLine : allowed.at(-1);
    if (pick && pick !== defaultLine)
      chosen = {
        tag: lineOf(pick.version),
        version: lineOf(pick.version),
        from: `needed by ${implied.map((a) => a.from).join(", ")}`,
      };
  }
  chosen ??= { tag: fallback, version: fallback, from: "default" };
  const newest =
    exactVersion(chosen.tag) ?? lines.find((l) => lineOf(l.version) === chosen.tag)?.version ?? chosen.tag;
  for (const ask of asks) {
    if (ask === stated && chosen.from === stated.from) continue;
    if (!semver.satisfies(newest, ask.range, { loose: true }))
      warnings.push(`${ask.from} needs ${runtime} ${ask.range}, but ${runtime} ${chosen.version} is used`);
  }
  const lineInfo = lines.find((l) => lineOf(l.version) === lineOf(newest));
  if (lineInfo?.eol)
    warnings.push(`${runtime} ${lineOf(newest)} is past its end of life; consider ${runtime} ${fallback}`);
  return { tag: chosen.tag, version: chosen.version, from: chosen.from, warnings };
}

/** Node's line is its major version (`24`). */
export const nodeLine = (v: string) => v.split(".")[0]!;
/** Python's and Go's line is major.minor (`3.13`, `1.25`). */
export const minorLine = (v: string) => v.split(".").slice(0, 2).join(".");

/** The runtime entry of a plan. */
export function runtimeEntry(name: PlanRuntime["name"], resolved: Resolved, image: string): PlanRuntime {
  return { name, version: resolved.version, from: resolved.from, image };
}
