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
