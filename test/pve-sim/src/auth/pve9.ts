// Permission differences of PVE 9.0 that the agent meets (PVE 9.0 release notes): the
// VM.Monitor privilege is gone; guest agent calls need VM.GuestAgent.* privileges instead.
// The schema file is 8.4.5, so in 9.x mode these checks replace the schema's.

type Check = { check: unknown[] };

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
