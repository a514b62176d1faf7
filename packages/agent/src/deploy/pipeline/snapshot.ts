import type { JobContext } from "../../jobs/types.ts";
import type { GuestType } from "../../proxmox/client.ts";
import { waitTask } from "./context.ts";
import type { AppJobDeps } from "./deps.ts";
import type { PveApi } from "./pve-api.ts";

const pad = (n: number) => String(n).padStart(2, "0");

/** A snapshot name Proxmox accepts (a config id: letters, digits, underscores): pylon_yyyymmdd_hhmmss. */
export function snapshotName(at: Date = new Date()): string {
  const d = `${at.getUTCFullYear()}${pad(at.getUTCMonth() + 1)}${pad(at.getUTCDate())}`;
  const t = `${pad(at.getUTCHours())}${pad(at.getUTCMinutes())}${pad(at.getUTCSeconds())}`;
  return `pylon_${d}_${t}`;
}

/** Takes a snapshot named for now (suffixed when the name is already used); returns its name. */
export async function takeSnapshot(
  ctx: JobContext,
  deps: AppJobDeps,
  api: PveApi,
  type: GuestType,
  vmid: number,
  description?: string,
): Promise<string> {
  const base = snapshotName();
  const taken = new Set(await api.snapshots(type, vmid));
  for (let i = 1; ; i++) {
    const name = i === 1 ? base : `${base}_${i}`;
    if (taken.has(name)) continue;
    try {
      await waitTask(ctx, deps, await api.snapshot(type, vmid, name, description));
      return name;
    } catch (err) {
      // Two snapshots within one second: the name is a config id, so take the next suffix.
      const used = err instanceof Error && /already used/.test(err.message);
      if (!used || i >= 20) throw err;
    }
  }
}

/** Deletes a snapshot; nothing to do when it does not exist. */
export async function dropSnapshot(
  ctx: JobContext,
  deps: AppJobDeps,
  api: PveApi,
  type: GuestType,
  vmid: number,
  name: string,
): Promise<void> {
  const names: string[] = await api.snapshots(type, vmid).catch(() => []);
  if (!names.includes(name)) return;
  await waitTask(ctx, deps, await api.deleteSnapshot(type, vmid, name));
}

/** Rolls a guest back to a snapshot and starts it again. */
export async function rollbackTo(
  ctx: JobContext,
  deps: AppJobDeps,
  api: PveApi,
  type: GuestType,
  vmid: number,
  name: string,
): Promise<void> {
  const status = await api.status(type, vmid);
  if (status?.status === "running") await waitTask(ctx, deps, await api.power(type, vmid, "stop"));
  await waitTask(ctx, deps, await api.rollback(type, vmid, name));
  const after = await api.status(type, vmid);
  if (after?.status !== "running") await waitTask(ctx, deps, await api.power(type, vmid, "start"));
}
