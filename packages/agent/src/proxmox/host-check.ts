import type { HostCheck } from "@pylon/shared/protocol/index";
import { errorMessage } from "../util/errors.ts";
import { atLeast } from "../util/versions.ts";
import type { PveClient } from "./client.ts";

// The privileges of role PylonAgent, as install/agent.sh grants them (a test keeps the two equal;
// the script explains each). PVE 9.0 removed VM.Monitor and added VM.GuestAgent.*, so the VM
// address call needs a different privilege on each.
const COMMON = [
  "Sys.Audit",
  "VM.Audit",
  "VM.Allocate",
  "VM.Clone",
  "VM.Config.CPU",
  "VM.Config.Memory",
  "VM.Config.Disk",
  "VM.Config.Network",
  "VM.Config.Options",
  "VM.Config.HWType",
  "VM.PowerMgmt",
  "VM.Snapshot",
  "VM.Backup",
  "Datastore.AllocateSpace",
  "Datastore.AllocateTemplate",
  "SDN.Use",
  "Sys.AccessNetwork",
];

/** The installer's token and role. */
export const INSTALLER_TOKEN = "pylon@pve!agent";
export const INSTALLER_ROLE = "PylonAgent";
/** The oldest PVE the agent works with: `pct exec --keep-env` (8.2) and the CT interfaces call (8.1). */
export const PVE_FLOOR = "8.2";

/** The privileges the agent's jobs need on a PVE version. */
export function requiredPrivileges(pveVersion: string): string[] {
  return [...COMMON, pveVersion.startsWith("8.") ? "VM.Monitor" : "VM.GuestAgent.Audit"];
}

/**
 * Checks the host the agent runs on: the PVE version against the floor, and the token's
 * effective privileges on `/` (GET /access/permissions) against what this version needs. The
 * fix is the one command that grants what is missing: for the installer's token, bringing role
 * PylonAgent up to this version's list.
 */
export async function checkHost(
  pve: PveClient,
  tokenId: string,
  now: () => number = Date.now,
): Promise<HostCheck> {
  const problems: string[] = [];
  let pveVersion: string | null = null;
  let missing: string[] = [];
  try {
    pveVersion = (await pve.version()).version;
    if (!atLeast(pveVersion, PVE_FLOOR))
      problems.push(
        `Proxmox VE ${PVE_FLOOR} or later is required (this host runs ${pveVersion}): the agent runs 'pct exec --keep-env' (8.2) and reads CT addresses from the API (8.1). Upgrade the host (apt update && apt full-upgrade).`,
      );
    const held = (await pve.permissions("/"))["/"] ?? {};
    missing = requiredPrivileges(pveVersion).filter((p) => !(p in held));
  } catch (err) {
    problems.push(`cannot check the Proxmox host: ${errorMessage(err)}`);
  }
  let fix: string | null = null;
  if (missing.length && pveVersion) {
    const all = requiredPrivileges(pveVersion).join(",");
    fix =
      tokenId === INSTALLER_TOKEN
        ? `pveum role modify ${INSTALLER_ROLE} --privs '${all}'`
        : `pveum role add PylonAgentExtra --privs '${missing.join(",")}' && pveum acl modify / --tokens '${tokenId}' --roles PylonAgentExtra`;
  }
  return { checkedAt: now(), pveVersion, missingPrivileges: missing, problems, fix };
}

/** Whether two checks say the same (their time aside). */
export function sameCheck(a: HostCheck | undefined, b: HostCheck): boolean {
  if (!a) return false;
  const { checkedAt: _a, ...x } = a;
  const { checkedAt: _b, ...y } = b;
  return JSON.stringify(x) === JSON.stringify(y);
}
