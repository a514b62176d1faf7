import { type AppPruneResult, pruneBackupsText, type Retention } from "@pylon/shared/protocol/index";
import { waitTask } from "../deploy/pipeline/context.ts";
import type { AppJobDeps } from "../deploy/pipeline/deps.ts";
import type { PveApi } from "../deploy/pipeline/pve-api.ts";
import type { JobContext } from "../jobs/types.ts";
import type { GuestType } from "../proxmox/client.ts";

/**
 * Proxmox's prune of one guest's backups on a storage with the app's retention. The dry run
 * (GET prunebackups) gives the marks; a real run then prunes (DELETE, which needs only
 * Datastore.AllocateSpace and VM.Backup with a vmid) and reports what is gone afterwards.
 */
export async function pruneBackups(
  ctx: JobContext,
  deps: AppJobDeps,
  api: PveApi,
  p: { vmid: number; type: GuestType; storage: string; retention: Retention | null; dryRun: boolean },
): Promise<AppPruneResult> {
  const params = { "prune-backups": pruneBackupsText(p.retention), type: p.type, vmid: p.vmid };
  const marks = await api.pruneMarks(p.storage, params);
  const entries = marks.map((m) => ({ volid: m.volid, ctime: m.ctime, mark: m.mark }));
  const doomed = entries.filter((e) => e.mark === "remove").map((e) => e.volid);
  if (p.dryRun || doomed.length === 0) return { entries, removed: [] };
  await waitTask(ctx, deps, await api.prune(p.storage, params));
  const left = new Set((await api.backupVolumes(p.storage, p.vmid)).map((v) => v.volid));
  return { entries, removed: doomed.filter((v) => !left.has(v)) };
}
