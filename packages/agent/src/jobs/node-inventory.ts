import { GUEST_TYPES, type Inventory, inventorySchema } from "@pylon/shared/protocol/index";
import { PveError } from "../proxmox/errors.ts";
import { type JobContext, JobError, type JobHandler } from "./types.ts";

type Guest = Inventory["guests"][number];
const isGuestType = (t: string): t is Guest["type"] => (GUEST_TYPES as readonly string[]).includes(t);

/** Reads guests, storages, templates and versions. Read-only, so a restart simply runs it again. */
export async function collectInventory(ctx: JobContext): Promise<Inventory> {
  const { pve, nodeName: node } = ctx;
  const [version, status, resources, storages] = await Promise.all([
    pve.version(),
    pve.nodeStatus(node),
    pve.clusterResources("vm"),
    pve.storages(node),
  ]);
  await ctx.progress(50, "node, guests and storages read");
  const guests: Guest[] = [];
  for (const r of resources) {
    if (r.node !== node || r.vmid === undefined || !isGuestType(r.type)) continue;
    guests.push({
      vmid: r.vmid,
      type: r.type,
      name: r.name ?? "",
      status: r.status ?? "unknown",
      template: r.template ?? false,
      cpus: r.maxcpu ?? 0,
      maxmem: r.maxmem ?? 0,
      maxdisk: r.maxdisk ?? 0,
      lock: r.lock ?? null,
    });
  }
  guests.sort((a, b) => a.vmid - b.vmid);
  const templates: Inventory["templates"] = [];
  for (const s of storages) {
    if (!s.active || !s.content.split(",").includes("vztmpl")) continue;
    const volumes = await pve.storageContent(node, s.storage, "vztmpl");
    for (const v of volumes) templates.push({ volid: v.volid, size: v.size });
  }
  return inventorySchema.parse({
    pveVersion: version.version,
    node: {
      cpu: status.cpu,
      cpus: status.cpuinfo?.cpus ?? 0,
      memTotal: status.memory.total,
      memUsed: status.memory.used,
      uptime: status.uptime,
    },
    guests,
    storages: storages.map((s) => ({
      storage: s.storage,
      type: s.type,
      content: s.content ? s.content.split(",") : [],
      total: s.total,
      used: s.used,
      avail: s.avail,
      active: s.active,
    })),
    templates,
  });
}

/** `node.inventory`: what the node has, for the control plane's node view. */
export const nodeInventory: JobHandler<"node.inventory"> = {
  kind: "node.inventory",
  async run(_params, ctx) {
    await ctx.step("inventory", "started");
    try {
      const inventory = await collectInventory(ctx);
      await ctx.step(
        "inventory",
        "succeeded",
        `${inventory.guests.length} guests, ${inventory.storages.length} storages`,
      );
      return inventory;
    } catch (err) {
      if (err instanceof PveError) throw new JobError(err.message, "inventory");
      throw err;
    }
  },
};
