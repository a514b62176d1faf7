import { splitList } from "../schema/formats.ts";
import { errorText, fail } from "../server/errors.ts";
import { bool, type Route, str } from "../server/router.ts";
import { backupOne } from "./backup.ts";

/** POST /nodes/{node}/vzdump: one task over the listed guests; a failed guest makes `job errors`. */
export function vzdumpRoutes(): Route[] {
  return [
    {
      method: "POST",
      path: "/nodes/{node}/vzdump",
      async: true,
      handler: ({ world, params, who, fault }) => {
        const all = bool(params, "all");
        const ids = all
          ? [...world.guests.keys()].sort((a, b) => a - b)
          : splitList(str(params, "vmid") ?? "").map(Number);
        if (!ids.length) throw fail("no VMs selected");
        const storeid = str(params, "storage") ?? "local";
        const s = world.storage(storeid);
        if (!s.content.includes("backup")) throw fail(`storage '${storeid}' does not support backups`);
        world.auth.check(who, `/storage/${storeid}`, ["Datastore.AllocateSpace"]);
        // PVE::API2::VZDump: retention set on the call needs Datastore.Allocate on the storage.
        if (params["prune-backups"] !== undefined)
          world.auth.check(who, `/storage/${storeid}`, ["Datastore.Allocate"]);
        for (const id of ids) world.auth.check(who, `/vms/${id}`, ["VM.Backup"]);
        const id = ids.length === 1 ? String(ids[0]) : "";
        return world.tasks.start(
          "vzdump",
          id,
          who.authid,
          fault ?? world.faults.takeForTask("vzdump", ids.length === 1 ? ids[0] : undefined),
          async (w) => {
            const argv =
              ids.join(" ") +
              Object.entries(params)
                .filter(([k]) => !["node", "vmid"].includes(k))
                .map(([k, v]) => ` --${k} ${String(v)}`)
                .join("");
            w.log(`INFO: starting new backup job: vzdump ${argv}`);
            let failed = 0;
            for (const vmid of ids) {
              const g = world.guests.get(vmid);
              try {
                if (!g)
                  throw fail(`unable to find configuration file for VM ${vmid} on node '${world.node}'`);
                if (g.config.template === "1" && g.kind === "lxc") w.log(`INFO: CT ${vmid} is a template`);
                await backupOne(world, w, g, params);
              } catch (err) {
                failed++;
                w.log(`ERROR: Backup of VM ${vmid} failed - ${errorText(err)}`);
                w.log(`INFO: Failed at ${new Date().toISOString().replace("T", " ").slice(0, 19)}`);
              }
            }
            if (failed) {
              w.log("INFO: Backup job finished with errors");
              throw new Error("job errors");
            }
            w.log("INFO: Backup job finished successfully");
          },
        ).upid;
      },
    },
  ];
}
