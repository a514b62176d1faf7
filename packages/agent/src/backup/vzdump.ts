import { z } from "zod";
import type { AppJobDeps } from "../deploy/pipeline/deps.ts";
import type { PveApi } from "../deploy/pipeline/pve-api.ts";
import type { JobContext } from "../jobs/types.ts";
import { JobError } from "../jobs/types.ts";
import type { GuestType } from "../proxmox/client.ts";
import { PveError } from "../proxmox/errors.ts";
import { TaskFailedError, waitForTask } from "../proxmox/tasks.ts";

const upidCheckpoint = z.object({ upid: z.string() });

/** The guest's own error line of a vzdump task (`ERROR: Backup of VM 101 failed - …`), else the exit status. */
export async function vzdumpFailure(ctx: JobContext, upid: string, exitstatus: string): Promise<string> {
  const lines = await ctx.pve.taskLog(upid, 0, 1000).catch(() => [] as string[]);
  for (const line of lines) {
    const m = /^ERROR: Backup of VM \d+ failed - (.*)$/.exec(line);
    if (m?.[1]) return m[1].trim();
  }
  return exitstatus;
}

/** The backup mode vzdump ended up using (it falls back to suspend without snapshots). */
async function modeOf(ctx: JobContext, upid: string): Promise<string> {
  const lines = await ctx.pve.taskLog(upid, 0, 1000).catch(() => [] as string[]);
  const modes = lines.flatMap((l) => /^INFO: backup mode: (\w+)/.exec(l)?.[1] ?? []);
  return modes.at(-1) ?? "snapshot";
}

export interface MadeBackup {
  volid: string;
  size: number;
  ctime: number;
  mode: string;
}

/**
 * Backs a guest up with vzdump (snapshot mode, zstd) and finds the archive by the job id in its
 * notes. Resumable: the UPID is checkpointed; after a restart between sending the request and
 * recording it, a backup with this job's notes or a running vzdump of the guest is picked up
 * instead of starting a second one.
 */
export async function makeBackup(
  ctx: JobContext,
  deps: Pick<AppJobDeps, "taskPollMs">,
  api: PveApi,
  p: { vmid: number; type: GuestType; storage: string; notes: string },
): Promise<MadeBackup> {
  const marker = `job ${ctx.jobId}`;
  const find = async () =>
    (await api.backupVolumes(p.storage, p.vmid)).find((v) => (v.notes ?? "").includes(marker));
  let upid = upidCheckpoint.safeParse(ctx.checkpoints.get("backup.upid")).data?.upid;
  if (!upid && ctx.checkpoints.has("backup.request")) {
    const made = await find();
    if (made) return { volid: made.volid, size: made.size, ctime: made.ctime, mode: "snapshot" };
    const running = await api.tasks({ vmid: p.vmid, typefilter: "vzdump", source: "active" });
    upid = running[0]?.upid;
    if (upid) await ctx.log("info", `agent restarted; waiting again for the running vzdump ${upid}`);
  }
  if (!upid) {
    await ctx.checkpoint("backup.request", { at: Date.now() });
    try {
      upid = await api.vzdump({
        vmid: p.vmid,
        storage: p.storage,
        mode: "snapshot",
        compress: "zstd",
        "notes-template": `${p.notes} · ${marker}`,
        remove: 0,
      });
    } catch (err) {
      if (err instanceof PveError) throw new JobError(`backup failed: ${err.message}`, "backup");
      throw err;
    }
    await ctx.checkpoint("backup.upid", { upid });
  }
  try {
    await waitForTask(ctx.pve, upid, { signal: ctx.signal, intervalMs: deps.taskPollMs });
  } catch (err) {
    if (err instanceof TaskFailedError)
      throw new JobError(`backup failed: ${await vzdumpFailure(ctx, upid, err.exitstatus)}`, "backup");
    throw err;
  }
  const made = await find();
  if (!made)
    throw new JobError(
      `vzdump ${upid} finished but storage '${p.storage}' lists no backup of ${p.type === "lxc" ? "CT" : "VM"} ${p.vmid} noted '${marker}'`,
      "backup",
    );
  return { volid: made.volid, size: made.size, ctime: made.ctime, mode: await modeOf(ctx, upid) };
}
