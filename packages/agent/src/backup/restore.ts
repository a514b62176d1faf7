import { z } from "zod";
import { waitTask } from "../deploy/pipeline/context.ts";
import type { AppJobDeps } from "../deploy/pipeline/deps.ts";
import type { PveApi } from "../deploy/pipeline/pve-api.ts";
import type { JobContext } from "../jobs/types.ts";
import type { GuestType } from "../proxmox/client.ts";

const upidCheckpoint = z.object({ upid: z.string(), vmid: z.number() });

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/**
 * Restores a backup into a new guest `vmid` through create (`ostemplate=<volid>&restore=1` for a
 * CT, `archive=<volid>` for a VM) with fresh MAC addresses, and waits for the task. The UPID is
 * checkpointed under `key`: after an agent restart the same restore is waited for again rather
 * than started twice; a restore whose request was sent but not recorded is recognised by the
 * guest's `lock: create` and waited out.
 */
export async function restoreBackup(
  ctx: JobContext,
  deps: AppJobDeps,
  api: PveApi,
  key: string,
  p: { type: GuestType; vmid: number; volid: string; storage: string; hostname?: string },
): Promise<void> {
  const recorded = upidCheckpoint.safeParse(ctx.checkpoints.get(key));
  if (recorded.success && recorded.data.vmid === p.vmid) {
    await waitTask(ctx, deps, recorded.data.upid);
    return;
  }
  if (ctx.resumed) {
    // A restore may have been started before the restart: wait until its `create` lock clears.
    for (let i = 0; i < 600; i++) {
      const status = await api.status(p.type, p.vmid);
      if (!status) break;
      if (status.lock !== "create") return;
      await sleep(Math.max(50, deps.taskPollMs * 4));
    }
  }
  const upid =
    p.type === "lxc"
      ? await api.createLxc({
          vmid: p.vmid,
          ostemplate: p.volid,
          restore: 1,
          storage: p.storage,
          unique: 1,
          ...(p.hostname ? { hostname: p.hostname } : {}),
        })
      : await api.createVm({ vmid: p.vmid, archive: p.volid, storage: p.storage, unique: 1 });
  await ctx.checkpoint(key, { upid, vmid: p.vmid });
  await waitTask(ctx, deps, upid);
}
