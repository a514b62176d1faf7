import type { AppBackupResult, AppPruneResult } from "@pylon/shared/protocol/index";
import { apiFor, waitTask } from "../deploy/pipeline/context.ts";
import { depsOrFail, step } from "../deploy/pipeline/manage.ts";
import { JobError, type JobHandler } from "../jobs/types.ts";
import { PveError } from "../proxmox/errors.ts";
import { TaskFailedError } from "../proxmox/tasks.ts";
import { errorMessage } from "../util/errors.ts";
import { pruneBackups } from "./prune.ts";
import { makeBackup } from "./vzdump.ts";

/**
 * `app.backup`: vzdump of the app's guest (snapshot mode, zstd, the app and commit in the
 * notes), then Proxmox's prune with the app's retention. A failed prune does not undo the
 * backup; it is logged and the result lists nothing pruned.
 */
export const appBackup: JobHandler<"app.backup"> = {
  kind: "app.backup",
  async run(p, ctx): Promise<AppBackupResult> {
    const deps = depsOrFail("backup");
    const api = apiFor(ctx, deps);
    await ctx.step("backup", "started", `${p.type === "lxc" ? "CT" : "VM"} ${p.vmid} to ${p.storage}`);
    let made: Awaited<ReturnType<typeof makeBackup>>;
    try {
      made = await makeBackup(ctx, deps, api, p);
    } catch (err) {
      await ctx.step("backup", "failed", err instanceof JobError ? err.message : errorMessage(err));
      throw err;
    }
    await ctx.step("backup", "succeeded", `${made.volid} (${made.mode} mode)`);
    let pruned: string[] = [];
    if (p.retention) {
      try {
        pruned = await step(
          ctx,
          "prune",
          async () =>
            (await pruneBackups(ctx, deps, api, { ...p, retention: p.retention, dryRun: false })).removed,
          (r) => (r.length ? `removed ${r.join(", ")}` : "nothing to remove"),
        );
      } catch (err) {
        await ctx.log("warn", `the backup was made; pruning older ones failed: ${errorMessage(err)}`);
      }
    }
    return { ...made, storage: p.storage, pruned };
  },
};

/** `app.prune`: Proxmox's prune of the app's backups (a dry run lists the marks only). */
export const appPrune: JobHandler<"app.prune"> = {
  kind: "app.prune",
  run(p, ctx): Promise<AppPruneResult> {
    const deps = depsOrFail("prune");
    return step(
      ctx,
      "prune",
      () => pruneBackups(ctx, deps, apiFor(ctx, deps), p),
      (r) =>
        p.dryRun
          ? `${r.entries.filter((e) => e.mark === "remove").length} would go`
          : `${r.removed.length} removed`,
    );
  },
};

/** `app.volume`: deletes a backup volume (already gone is fine), or sets its protection. */
export const appVolume: JobHandler<"app.volume"> = {
  kind: "app.volume",
  run({ storage, volid, op }, ctx) {
    const deps = depsOrFail(op);
    const api = apiFor(ctx, deps);
    return step(ctx, op, async () => {
      if (op !== "delete") {
        await api.setVolume(storage, volid, { protected: op === "protect" ? 1 : 0 });
        return { volid, protected: op === "protect" };
      }
      try {
        await waitTask(ctx, deps, await api.deleteVolume(storage, volid));
      } catch (err) {
        if (err instanceof PveError && /unable to parse volume ID|does not exist/.test(err.message))
          return { volid, deleted: false };
        if (err instanceof TaskFailedError || err instanceof PveError)
          throw new JobError(`delete failed: ${err.message}`, "delete");
        throw err;
      }
      return { volid, deleted: true };
    });
  },
};
