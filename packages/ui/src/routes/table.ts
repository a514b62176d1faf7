// Every screen's path, who may open it, and where it sits in the navigation.
import type { Role } from "@pylon/shared";

export type ScreenId = "account" | "tokens" | "users" | "audit" | "settings";

export interface ScreenEntry {
  id: ScreenId;
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

/** Where "/" leads once signed in (there is no overview until nodes and apps exist). */
export const HOME = "/account";

/** The screen at `path`, if any. */
export function screenAt(path: string): ScreenEntry | undefined {
  const clean = path.length > 1 ? path.replace(/\/+$/, "") : path;
  return NAV_SECTIONS.flatMap((s) => s.items).find((i) => i.path === clean);
}
