// The deploy wizard's state: what the user typed, as strings, and the pure functions that check
// it and turn it into the body of `POST /api/v1/apps`.
import type { CatalogEntry, CatalogParameter } from "@pylon/shared/catalog/schema";
import type { CreateAppRequest } from "../../../api/actions.ts";
import { type KeyValueRow, mapOf, nameProblem } from "../../../components/KeyValueRows.tsx";
import { type PlanInputs, planKey, planSettingsOf } from "./plan-draft.ts";

export type { PlanInputs } from "./plan-draft.ts";

export type BuildMode = "auto" | "generated" | "dockerfile" | "compose";

export interface Draft {
  kind: "catalog" | "git";
  catalogId: string;
  /** Parameter inputs by name: text for most types, true/false for booleans. */
  params: Record<string, string | boolean>;
  git: {
    url: string;
    ref: string;
    subdirectory: string;
    buildMode: BuildMode;
    port: string;
    deployKey: string;
    /** The Git host's SSH key fingerprint to pin (ssh URLs; else trusted on first use). */
    hostKey: string;
    plan: PlanInputs;
    /** The last plan the user saw: for which inputs, at which commit, and whether it was refused. */
    reviewed: { key: string; commit: string; refused: boolean } | null;
  };
  name: string;
  /** The user typed a name (so picking an app no longer replaces it). */
  nameEdited: boolean;
  nodeId: string;
  type: "lxc" | "qemu";
  cores: string;
  memoryMb: string;
  diskGb: string;
  storage: string;
  bridge: string;
  domain: string;
  env: KeyValueRow[];
  secrets: KeyValueRow[];
}

/** Resources for a Git app when nothing says otherwise (the API's own defaults). */
export const GIT_DEFAULTS = { cores: 1, memoryMb: 1024, diskGb: 8 };

/** A blank draft, optionally starting from a catalog app. */
export function emptyDraft(catalogId = ""): Draft {
  return {
    kind: "catalog",
    catalogId,
    params: {},
    git: {
      url: "",
      ref: "main",
      subdirectory: "",
      buildMode: "auto",
      port: "",
      deployKey: "",
      hostKey: "",
      plan: {
        installCommand: "",
        buildCommand: "",
        startCommand: "",
        nodeVersion: "",
        pythonVersion: "",
        composeService: "",
      },
      reviewed: null,
    },
    name: catalogId,
    nameEdited: false,
    nodeId: "",
    type: "lxc",
    cores: String(GIT_DEFAULTS.cores),
    memoryMb: String(GIT_DEFAULTS.memoryMb),
    diskGb: String(GIT_DEFAULTS.diskGb),
    storage: "local-lvm",
    bridge: "vmbr0",
    domain: "",
    env: [],
    secrets: [],
  };
}

/** The smallest resources an app may get, as the API enforces them (catalog minimums). */
export function minimumsOf(entry: CatalogEntry | undefined) {
  if (!entry) return { cores: 1, memoryMb: 256, diskGb: 2 };
  return {
    cores: entry.minResources.cores,
    memoryMb: Math.max(256, entry.minResources.memoryMiB),
    diskGb: Math.max(2, entry.minResources.diskGiB),
  };
}

/** What the API picks for a catalog app when the target leaves resources out. */
export function defaultsOf(entry: CatalogEntry) {
  return {
    cores: entry.minResources.cores,
    memoryMb: Math.max(entry.minResources.memoryMiB, 512),
    diskGb: Math.max(entry.minResources.diskGiB, 4),
  };
}

/** The parameter's default as an input value. */
export function defaultInput(p: CatalogParameter): string | boolean {
  if (p.type === "boolean") return p.default ?? false;
  if (p.type === "secret") return "";
  if (p.type === "enum") return p.default ?? (p.required ? (p.options[0] ?? "") : "");
  return p.default === undefined ? "" : String(p.default);
}

/** What the user should know before typing: required, lengths, ranges, format. */
export function parameterHint(p: CatalogParameter): string {
  const parts: string[] = [];
  if (p.description) parts.push(p.description);
  if (p.type === "string" || p.type === "secret") {
    if (p.minLength !== undefined && p.maxLength !== undefined)
      parts.push(`${p.minLength}–${p.maxLength} characters`);
    else if (p.minLength) parts.push(`at least ${p.minLength} characters`);
    else if (p.maxLength) parts.push(`at most ${p.maxLength} characters`);
  }
  if (p.type === "string" && p.format) parts.push(`a${p.format === "email" ? "n" : ""} ${p.format}`);
  if (p.type === "number") {
    const kind = p.integer ? "a whole number" : "a number";
    if (p.min !== undefined && p.max !== undefined) parts.push(`${kind} from ${p.min} to ${p.max}`);
    else if (p.min !== undefined) parts.push(`${kind}, at least ${p.min}`);
    else if (p.max !== undefined) parts.push(`${kind}, at most ${p.max}`);
    else parts.push(kind);
  }
  if (!p.required) parts.push("optional");
  return parts.join(" · ");
}

const FORMATS: Record<string, RegExp> = {
  email: /^[^\s@]+@[^\s@]+\.[^\s@]+$/,
  url: /^https?:\/\/\S+$/,
  hostname: /^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$/i,
  timezone: /^[A-Za-z_]+(\/[A-Za-z0-9_+-]+)*$/,
};

/** Our own check of one parameter input (the API checks again); undefined when it is fine. */
export function parameterProblem(p: CatalogParameter, raw: string | boolean | undefined): string | undefined {
  if (p.type === "boolean") return undefined;
  const v = typeof raw === "string" ? raw : "";
  if (v === "") return p.required ? "is required" : undefined;
  if (p.type === "number") {
    const n = Number(v);
    if (!Number.isFinite(n)) return "must be a number";
    if (p.integer && !Number.isInteger(n)) return "must be a whole number";
    if (p.min !== undefined && n < p.min) return `must be at least ${p.min}`;
    if (p.max !== undefined && n > p.max) return `must be at most ${p.max}`;
    return undefined;
  }
  if (p.type === "enum") return p.options.includes(v) ? undefined : "must be one of the options";
  if (p.minLength !== undefined && v.length < p.minLength)
    return `must be at least ${p.minLength} characters`;
  if (p.maxLength !== undefined && v.length > p.maxLength) return `must be at most ${p.maxLength} characters`;
  if (p.type === "string") {
    if (p.pattern && !new RegExp(`^(?:${p.pattern})$`, "u").test(v))
      return p.patternMessage ?? "is not in the expected form";
    const format = p.format && FORMATS[p.format];
    if (format && !format.test(v)) return `must be a${p.format === "email" ? "n" : ""} ${p.format}`;
  }
  return undefined;
}

const DNS_LABEL = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/;

/** A default app name from a repository URL ("https://host/acme/My_Site.git" → "my-site"). */
export function nameFromRepo(url: string): string {
  const last =
    url
      .replace(/\.git\/?$/, "")
      .split(/[/:]/)
      .filter(Boolean)
      .at(-1) ?? "";
  return last
    .toLowerCase()
    .replace(/[^a-z0-9-]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 63);
}

type Problems = Record<string, string>;

const wholeIn = (raw: string, min: number, max: number, unit = ""): string | undefined => {
  const n = Number(raw);
  if (raw.trim() === "" || !Number.isInteger(n)) return "must be a whole number";
  if (n < min) return `must be at least ${min}${unit}`;
  if (n > max) return `must be at most ${max}${unit}`;
  return undefined;
};

/** An ssh:// or user@host:path repository URL (cloned with a deploy key). */
export function isSshUrl(url: string): boolean {
  return /^(ssh:\/\/|[A-Za-z0-9._-]+@)/.test(url.trim());
}

/** Problems on the source step, keyed by the API's field paths. */
export function sourceProblems(d: Draft, entry: CatalogEntry | undefined): Problems {
  const out: Problems = {};
  if (!d.name.trim()) out.name = "is required";
  else if (d.name.length > 63 || !DNS_LABEL.test(d.name.trim()))
    out.name = "must be lower-case letters, digits and inner hyphens (a DNS label)";
  if (d.kind === "catalog") {
    if (!d.catalogId || !entry) out["source.catalogId"] = "choose an app";
    for (const p of entry?.parameters ?? []) {
      const problem = parameterProblem(p, d.params[p.name]);
      if (problem) out[`source.parameters.${p.name}`] = problem;
    }
  } else {
    const url = d.git.url.trim();
    if (!url) out["source.url"] = "is required";
    else if (!/^(https:\/\/|ssh:\/\/|[A-Za-z0-9._-]+@)/.test(url))
      out["source.url"] = "must be an https:// URL, an ssh:// URL or user@host:path";
    if (!d.git.ref.trim()) out["source.ref"] = "is required";
    if (d.git.port.trim()) {
      const p = wholeIn(d.git.port, 1, 65535);
      if (p) out["source.port"] = p;
    }
    // Only an ssh URL needs a key: an http:// URL is simply wrong, and says so above.
    if (isSshUrl(url) && !d.git.deployKey.trim())
      out["source.deployKey"] = "is required for an ssh repository URL";
    const fp = d.git.hostKey.trim();
    if (fp && isSshUrl(url) && !/^SHA256:[A-Za-z0-9+/]{43}$/.test(fp))
      out["source.hostKey"] =
        "must be an SSH host key fingerprint like SHA256:… (43 characters after SHA256:)";
  }
  return out;
}

/** Problems on the target step (the node's capacity is checked by the API). */
export function targetProblems(d: Draft, entry: CatalogEntry | undefined): Problems {
  const out: Problems = {};
  const min = minimumsOf(entry);
  if (!d.nodeId) out["target.nodeId"] = "choose a node";
  const checks = {
    "target.cores": wholeIn(d.cores, min.cores, 64),
    "target.memoryMb": wholeIn(d.memoryMb, min.memoryMb, 262_144, " MiB"),
    "target.diskGb": wholeIn(d.diskGb, min.diskGb, 4096, " GiB"),
    "target.storage": d.storage.trim() ? undefined : "is required",
    "target.bridge": /^vmbr\d{1,4}$/.test(d.bridge.trim()) ? undefined : "must be a Linux bridge like vmbr0",
  };
  for (const [k, v] of Object.entries(checks)) if (v) out[k] = v;
  return out;
}

/** Problems on the domain step. */
export function domainProblems(d: Draft): Problems {
  const v = d.domain.trim().toLowerCase();
  if (v && !/^([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/.test(v))
    return { domain: "must be a host name like app.example.com" };
  return {};
}

/** Problems on the variables step. */
export function envProblems(d: Draft): Problems {
  const out: Problems = {};
  for (const [group, rows] of [
    ["env", d.env],
    ["secrets", d.secrets],
  ] as const) {
    for (const r of rows) {
      const p = nameProblem(r.key);
      if (p) out[`${group}.${r.key.trim()}`] = p;
    }
  }
  return out;
}

/** The input value of a parameter as the API wants it; undefined to leave it out. */
function parameterValue(p: CatalogParameter, raw: string | boolean | undefined) {
  if (p.type === "boolean") return typeof raw === "boolean" ? raw : (p.default ?? false);
  const v = typeof raw === "string" ? raw : "";
  if (v === "") return undefined;
  return p.type === "number" ? Number(v) : v;
}

/** The body of `POST /api/v1/apps` for the draft. */
export function buildBody(d: Draft, entry: CatalogEntry | undefined): CreateAppRequest {
  const parameters: Record<string, string | number | boolean> = {};
  for (const p of entry?.parameters ?? []) {
    const v = parameterValue(p, d.params[p.name]);
    if (v !== undefined) parameters[p.name] = v;
  }
  const g = d.git;
  const source: CreateAppRequest["source"] =
    d.kind === "catalog"
      ? { type: "catalog", catalogId: d.catalogId, parameters }
      : {
          type: "git",
          url: g.url.trim(),
          ref: g.ref.trim() || "main",
          buildMode: g.buildMode,
          ...(g.subdirectory.trim() ? { subdirectory: g.subdirectory.trim() } : {}),
          ...(g.port.trim() ? { port: Number(g.port) } : {}),
          ...(g.deployKey.trim() ? { deployKey: g.deployKey } : {}),
          ...(g.hostKey.trim() && isSshUrl(g.url) ? { hostKey: g.hostKey.trim() } : {}),
          ...(Object.keys(planSettingsOf(d)).length ? { plan: planSettingsOf(d) } : {}),
          // The commit the shown plan was made at: the deploy builds exactly what was reviewed.
          ...(g.reviewed && g.reviewed.key === planKey(d) ? { commit: g.reviewed.commit } : {}),
        };
  return {
    name: d.name.trim(),
    source,
    target: {
      nodeId: d.nodeId,
      type: d.type,
      cores: Number(d.cores),
      memoryMb: Number(d.memoryMb),
      diskGb: Number(d.diskGb),
      storage: d.storage.trim(),
      bridge: d.bridge.trim(),
    },
    ...(d.domain.trim() ? { domain: d.domain.trim().toLowerCase() } : {}),
    env: mapOf(d.env),
    secrets: mapOf(d.secrets),
  };
}

export const STEPS = [
  { id: "source", label: "Source" },
  { id: "target", label: "Target" },
  { id: "domain", label: "Domain" },
  { id: "env", label: "Variables" },
  { id: "review", label: "Review" },
] as const;
export type StepId = (typeof STEPS)[number]["id"];

/** The step that shows the field an API error names. */
export function stepOfField(path: string): StepId {
  if (path === "name" || path.startsWith("source")) return "source";
  if (path.startsWith("target")) return "target";
  if (path === "domain") return "domain";
  if (path.startsWith("env") || path.startsWith("secrets")) return "env";
  return "review";
}
