// Roles and privileges as in pve-access-control (PVE 8), reduced to the privileges the
// simulated endpoints check. ACL resolution follows PVE: the most specific path with an
// entry for the principal wins; a non-propagating entry applies to its own path only.

const VM_PRIVS = [
  "VM.Allocate",
  "VM.Audit",
  "VM.Backup",
  "VM.Clone",
  "VM.Config.CDROM",
  "VM.Config.CPU",
  "VM.Config.Cloudinit",
  "VM.Config.Disk",
  "VM.Config.HWType",
  "VM.Config.Memory",
  "VM.Config.Network",
  "VM.Config.Options",
  "VM.Console",
  "VM.Migrate",
  "VM.Monitor",
  "VM.PowerMgmt",
  "VM.Snapshot",
  "VM.Snapshot.Rollback",
  "VM.GuestAgent.Audit",
  "VM.GuestAgent.Unrestricted",
];
const DS_PRIVS = [
  "Datastore.Allocate",
  "Datastore.AllocateSpace",
  "Datastore.AllocateTemplate",
  "Datastore.Audit",
];
const SYS_PRIVS = [
  "Sys.AccessNetwork",
  "Sys.Audit",
  "Sys.Console",
  "Sys.Modify",
  "Sys.PowerMgmt",
  "Sys.Syslog",
];
const OTHER = ["Pool.Allocate", "Pool.Audit", "SDN.Use", "SDN.Audit", "Permissions.Modify", "User.Modify"];

/** Every privilege the simulator knows. */
export const ALL_PRIVS = [...VM_PRIVS, ...DS_PRIVS, ...SYS_PRIVS, ...OTHER];

/** Built-in roles (subset of PVE's with the same names). */
export const ROLES: Record<string, string[]> = {
  Administrator: ALL_PRIVS,
  NoAccess: [],
  PVEAuditor: ["VM.Audit", "Datastore.Audit", "Sys.Audit", "Pool.Audit", "SDN.Audit", "VM.GuestAgent.Audit"],
  PVEVMAdmin: [...VM_PRIVS, "Pool.Audit", "SDN.Use"],
  PVEVMUser: [
    "VM.Audit",
    "VM.Console",
    "VM.Backup",
    "VM.Config.CDROM",
    "VM.Config.Cloudinit",
    "VM.PowerMgmt",
  ],
  PVEDatastoreAdmin: [...DS_PRIVS],
  PVEDatastoreUser: ["Datastore.AllocateSpace", "Datastore.Audit"],
  PVESysAdmin: ["Sys.Audit", "Sys.Console", "Sys.Syslog"],
  PVEPoolUser: ["Pool.Audit"],
};

/** One ACL entry: a path, a user or token id, and roles or raw privileges. */
export interface AclEntry {
  path: string;
  principal: string;
  roles?: string[];
  privs?: string[];
  propagate?: boolean;
}

function covers(entryPath: string, path: string, propagate: boolean): number {
  const e = entryPath === "/" ? "" : entryPath.replace(/\/+$/, "");
  if (path === entryPath || path === e) return e.split("/").length;
  if (!propagate) return -1;
  if (e === "" || path.startsWith(`${e}/`)) return e.split("/").length;
  return -1;
}

/** The privileges a principal (user or token id) holds on a path, from its own ACL entries. */
export function aclPrivs(
  acl: AclEntry[],
  principal: string,
  path: string,
  roles: ReadonlyMap<string, readonly string[]> = new Map(Object.entries(ROLES)),
): Set<string> {
  let best = -1;
  const privs = new Set<string>();
  for (const e of acl) {
    if (e.principal !== principal) continue;
    const depth = covers(e.path, path, e.propagate ?? true);
    if (depth < 0 || depth < best) continue;
    if (depth > best) privs.clear();
    best = depth;
    for (const r of e.roles ?? []) for (const p of roles.get(r) ?? []) privs.add(p);
    for (const p of e.privs ?? []) privs.add(p);
  }
  return privs;
}
