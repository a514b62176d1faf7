// Permission differences of PVE 9.0 that the agent meets (PVE 9.0 release notes): the
// VM.Monitor privilege is gone; guest agent calls need VM.GuestAgent.* privileges instead.
// The schema file is 8.4.5, so in 9.x mode these checks replace the schema's.

import { ALL_PRIVS } from "./acl.ts";

type Check = { check: unknown[] };

const PVE9_ONLY = /^VM\.GuestAgent\./;

/** The privileges a PVE version knows (9.0 dropped VM.Monitor and added VM.GuestAgent.*). */
export function knownPrivileges(version: string): string[] {
  const nine = version.startsWith("9");
  return ALL_PRIVS.filter((p) => (nine ? p !== "VM.Monitor" : !PVE9_ONLY.test(p)));
}

const AGENT_READ: Check = {
  check: ["perm", "/vms/{vmid}", ["VM.GuestAgent.Audit", "VM.GuestAgent.Unrestricted"], "any", 1],
};
const AGENT_EXEC: Check = { check: ["perm", "/vms/{vmid}", ["VM.GuestAgent.Unrestricted"]] };

const PVE9: Record<string, Check> = {
  "POST /nodes/{node}/qemu/{vmid}/agent/ping": AGENT_READ,
  "GET /nodes/{node}/qemu/{vmid}/agent/network-get-interfaces": AGENT_READ,
  "POST /nodes/{node}/qemu/{vmid}/agent/exec": AGENT_EXEC,
  "GET /nodes/{node}/qemu/{vmid}/agent/exec-status": AGENT_EXEC,
};

/** The permissions object in force for a method of a schema path on a given PVE version. */
export function permissionsFor<T>(version: string, method: string, path: string, fromSchema: T): T | Check {
  if (!version.startsWith("9")) return fromSchema;
  return PVE9[`${method} ${path}`] ?? fromSchema;
}

/** Whether a version (`8.1.4`) is older than `floor` (`8.2`), comparing numbers. */
export function olderThan(version: string, floor: string): boolean {
  const a = version.split(/[.-]/).map(Number);
  const b = floor.split(/[.-]/).map(Number);
  for (let i = 0; i < b.length; i++) if ((a[i] ?? 0) !== b[i]) return (a[i] ?? 0) < (b[i] ?? 0);
  return false;
}

// vzdump parameters PVE 9 no longer has (libpve-guest-common-perl 6.0.1 for 9.0 removed the
// deprecated notification-policy/-target; the 9.1 API description no longer lists maxfiles,
// deprecated since PVE 7 in favour of prune-backups). Sent anyway, they are unknown parameters.
const DROPPED: { since: [number, number]; key: string; params: string[] }[] = [
  {
    since: [9, 0],
    key: "POST /nodes/{node}/vzdump",
    params: ["notification-policy", "notification-target"],
  },
  { since: [9, 1], key: "POST /nodes/{node}/vzdump", params: ["maxfiles"] },
];

/** The schema's parameter properties as a given PVE version has them (8.4.5's minus what 9.x dropped). */
export function parametersFor<T extends Record<string, unknown>>(
  version: string,
  method: string,
  path: string,
  props: T,
): T {
  const [major = 0, minor = 0] = version.split(".").map(Number);
  const out = { ...props };
  for (const d of DROPPED) {
    if (d.key !== `${method} ${path}`) continue;
    if (major < d.since[0] || (major === d.since[0] && minor < d.since[1])) continue;
    for (const p of d.params) delete out[p];
  }
  return out;
}
