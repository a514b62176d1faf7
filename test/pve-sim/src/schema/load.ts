import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";

/** A JSON-schema fragment as PVE writes it (numbers sometimes as strings, booleans as 0/1). */
export interface PropSchema {
  type?: string;
  optional?: number | boolean;
  format?: string | Record<string, PropSchema>;
  pattern?: string;
  enum?: string[];
  minimum?: number | string;
  maximum?: number | string;
  minLength?: number;
  maxLength?: number;
  default_key?: number;
  alias?: string;
  keyAlias?: string;
  items?: PropSchema;
  properties?: Record<string, PropSchema>;
  additionalProperties?: number | boolean | PropSchema;
  requires?: string;
  default?: unknown;
  description?: string;
}

/** One method of one path in the api-viewer tree. */
export interface MethodInfo {
  name?: string;
  method: string;
  allowtoken?: number;
  protected?: number;
  proxyto?: string;
  parameters?: { additionalProperties?: number; properties?: Record<string, PropSchema> };
  permissions?: { user?: string; check?: unknown[]; description?: string };
  returns?: PropSchema;
}

interface TreeNode {
  path: string;
  info?: Record<string, MethodInfo>;
  children?: TreeNode[];
}

/** A path of the real API with its methods, and a matcher for concrete URIs. */
export interface SchemaPath {
  path: string;
  info: Record<string, MethodInfo>;
  regex: RegExp;
  vars: string[];
}

/** Where the copied schema lives (inside this package, so it works without ../shared). */
export const schemaFile = fileURLToPath(new URL("../../schema/pve-api-8.4.5.json", import.meta.url));

/** The indexed real API schema. */
export class ApiSchema {
  readonly paths: SchemaPath[] = [];
  readonly byPath = new Map<string, SchemaPath>();

  constructor(tree: TreeNode[]) {
    const walk = (n: TreeNode): void => {
      const vars: string[] = [];
      const source = n.path
        .split("/")
        .map((seg, i, all) => {
          const m = /^\{(.+)\}$/.exec(seg);
          if (!m) return seg.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
          vars.push(m[1]!);
          // A volume id may hold a slash ("local:vztmpl/x.tar.zst"); PVE takes the rest of the URI.
          return m[1] === "volume" && i === all.length - 1 ? "(.+)" : "([^/]+)";
        })
        .join("/");
      const entry = { path: n.path, info: n.info ?? {}, regex: new RegExp(`^${source}$`), vars };
      this.paths.push(entry);
      this.byPath.set(n.path, entry);
      for (const c of n.children ?? []) walk(c);
    };
    for (const n of tree) walk(n);
    // Literal segments win over variables, as PVE's router tries fixed names first.
    this.paths.sort((a, b) => a.vars.length - b.vars.length);
  }

  /** Finds the schema path for a concrete (already unescaped) URI, with the URI's variables. */
  match(uri: string): { entry: SchemaPath; vars: Record<string, string> } | undefined {
    for (const entry of this.paths) {
      const m = entry.regex.exec(uri);
      if (!m) continue;
      const vars: Record<string, string> = {};
      entry.vars.forEach((v, i) => {
        vars[v] = m[i + 1]!;
      });
      return { entry, vars };
    }
    return undefined;
  }
}

let cached: ApiSchema | undefined;

/** Loads (once per process) the schema file shipped with the package. */
export function loadSchema(): ApiSchema {
  cached ??= new ApiSchema(JSON.parse(readFileSync(schemaFile, "utf8")) as TreeNode[]);
  return cached;
}
