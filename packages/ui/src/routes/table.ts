// Every screen's path, who may open it, and where it sits in the navigation.
import type { Role } from "@pylon/shared";

export type ScreenId =
  | "overview"
  | "apps"
  | "catalog"
  | "new-app"
  | "app"
  | "nodes"
  | "node"
  | "jobs"
  | "job"
  | "account"
  | "tokens"
  | "users"
  | "audit"
  | "settings";

export interface ScreenEntry {
  id: ScreenId;
  /** The path; `:name` segments are parameters (`/nodes/:id`). */
  path: string;
  label: string;
  role: Role;
}

export interface NavSection {
  title: string | null;
  role: Role;
  items: ScreenEntry[];
}

export const NAV_SECTIONS: NavSection[] = [
  {
    title: null,
    role: "viewer",
    items: [
      { id: "overview", path: "/", label: "Overview", role: "viewer" },
      { id: "apps", path: "/apps", label: "Apps", role: "viewer" },
      { id: "catalog", path: "/catalog", label: "Catalog", role: "viewer" },
      { id: "nodes", path: "/nodes", label: "Nodes", role: "viewer" },
      { id: "jobs", path: "/jobs", label: "Jobs", role: "viewer" },
    ],
  },
  {
    title: "You",
    role: "viewer",
    items: [
      { id: "account", path: "/account", label: "Account", role: "viewer" },
      { id: "tokens", path: "/tokens", label: "API tokens", role: "viewer" },
    ],
  },
  {
    title: "Admin",
    role: "admin",
    items: [
      { id: "users", path: "/admin/users", label: "Users", role: "admin" },
      { id: "audit", path: "/admin/audit", label: "Audit log", role: "admin" },
      { id: "settings", path: "/admin/settings", label: "Settings", role: "admin" },
    ],
  },
];

/** Screens reached from others (a node, a job), not listed in the navigation. */
const DETAIL_SCREENS: ScreenEntry[] = [
  // Before /apps/:id, which would take "new" for an app id.
  { id: "new-app", path: "/apps/new", label: "Deploy an app", role: "operator" },
  { id: "app", path: "/apps/:id", label: "App", role: "viewer" },
  { id: "node", path: "/nodes/:id", label: "Node", role: "viewer" },
  { id: "job", path: "/jobs/:id", label: "Job", role: "viewer" },
];

/** Where the brand link and "not found" lead once signed in. */
export const HOME = "/";

export interface ScreenMatch {
  entry: ScreenEntry;
  params: Record<string, string>;
}

function match(pattern: string, path: string): Record<string, string> | null {
  const want = pattern.split("/");
  const got = path.split("/");
  if (want.length !== got.length) return null;
  const params: Record<string, string> = {};
  for (let i = 0; i < want.length; i++) {
    const w = want[i] ?? "";
    const g = got[i] ?? "";
    if (w.startsWith(":")) {
      if (!g) return null;
      params[w.slice(1)] = decodeURIComponent(g);
    } else if (w !== g) return null;
  }
  return params;
}

/** The screen at `path` with its parameters, if any. */
export function screenAt(path: string): ScreenMatch | undefined {
  const clean = path.length > 1 ? path.replace(/\/+$/, "") : path;
  for (const entry of [...NAV_SECTIONS.flatMap((s) => s.items), ...DETAIL_SCREENS]) {
    const params = match(entry.path, clean);
    if (params) return { entry, params };
  }
  return undefined;
}

/** The navigation entry a path belongs to (`/nodes/x` → Nodes), for marking it current. */
export function navItemFor(path: string): string | undefined {
  const items = NAV_SECTIONS.flatMap((s) => s.items).filter((i) => i.path !== "/");
  return (
    items.find((i) => path === i.path || path.startsWith(`${i.path}/`))?.path ??
    (path === "/" ? "/" : undefined)
  );
}
