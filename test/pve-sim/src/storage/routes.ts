import { fail } from "../server/errors.ts";
import { bool, int, type Route, str } from "../server/router.ts";
import { backupVolumeRoutes } from "./backup-routes.ts";
import { avail, type Content, type Storage, used, volumePath } from "./storage.ts";

/** Templates the appliance index offers (GET/POST /nodes/{n}/aplinfo). */
export const APLINFO = [
  {
    template: "debian-12-standard_12.7-1_amd64.tar.zst",
    os: "debian-12",
    version: "12.7-1",
    size: 123_456_789,
  },
  {
    template: "debian-13-standard_13.1-2_amd64.tar.zst",
    os: "debian-13",
    version: "13.1-2",
    size: 131_072_000,
  },
  {
    template: "ubuntu-24.04-standard_24.04-2_amd64.tar.zst",
    os: "ubuntu-24.04",
    version: "24.04-2",
    size: 141_000_000,
  },
  {
    template: "alpine-3.22-default_20250617_amd64.tar.xz",
    os: "alpine-3.22",
    version: "3.22-0",
    size: 3_145_728,
  },
];

function storageItem(s: Storage): Record<string, unknown> {
  return {
    storage: s.id,
    type: s.type,
    content: s.content.join(","),
    active: 1,
    enabled: 1,
    shared: 0,
    total: s.total,
    used: used(s),
    avail: avail(s),
    used_fraction: used(s) / s.total,
  };
}

/** Storage list, content, volume delete, prune (dry run and real) and template download. */
export function storageRoutes(): Route[] {
  return [
    {
      method: "GET",
      path: "/nodes/{node}/storage",
      handler: ({ world, params, who }) => {
        const content = str(params, "content");
        const only = str(params, "storage");
        return world.storages
          .filter((s) => !only || s.id === only)
          .filter((s) => !content || content.split(",").every((c) => s.content.includes(c as Content)))
          .filter(
            (s) =>
              world.auth.can(who, `/storage/${s.id}`, "Datastore.Audit") ||
              world.auth.can(who, `/storage/${s.id}`, "Datastore.AllocateSpace"),
          )
          .map(storageItem);
      },
    },
    {
      method: "GET",
      path: "/nodes/{node}/storage/{storage}/content",
      handler: ({ world, params }) => {
        const s = world.storage(str(params, "storage")!);
        const content = str(params, "content");
        const vmid = int(params, "vmid");
        return [...s.volumes.values()]
          .filter((v) => (!content || v.content === content) && (vmid === undefined || v.vmid === vmid))
          .sort((a, b) => a.volid.localeCompare(b.volid))
          .map((v) => {
            const item: Record<string, unknown> = {
              volid: v.volid,
              content: v.content,
              format: v.format,
              size: v.size,
              ctime: v.ctime,
            };
            if (v.vmid !== undefined) item.vmid = v.vmid;
            if (v.subtype) item.subtype = v.subtype;
            if (v.content === "backup") {
              // Only the first line of multi-line notes is listed (Content.pm index).
              item.notes = (v.notes ?? "").split("\n")[0];
              item.protected = v.protected ? 1 : 0;
            }
            if (v.content === "images" || v.content === "rootdir") item.used = Math.floor(v.size * 0.2);
            return item;
          });
      },
    },
    ...backupVolumeRoutes(),
    {
      method: "GET",
      path: "/nodes/{node}/aplinfo",
      handler: () =>
        APLINFO.map((a) => ({
          template: a.template,
          package: a.template.replace(/_.*$/, ""),
          os: a.os.split("-")[0],
          version: a.version,
          type: "lxc",
          section: "system",
          headline: `${a.os} (standard)`,
          description: `LXC template for ${a.os}`,
          infopage: "https://pve.proxmox.com/wiki/Linux_Container#pct_supported_distributions",
          location: `http://download.proxmox.com/images/system/${a.template}`,
          md5sum: "",
          sha512sum: "",
          source: "http://download.proxmox.com/images",
          architecture: "amd64",
          maintainer: "Proxmox Support Team <support@proxmox.com>",
          manageurl: "",
        })),
    },
    {
      method: "POST",
      path: "/nodes/{node}/aplinfo",
      async: true,
      handler: ({ world, params, who, fault }) => {
        const storeid = str(params, "storage")!;
        const s = world.storage(storeid);
        const name = str(params, "template")!;
        const tpl = APLINFO.find((a) => a.template === name);
        if (!tpl) throw fail("no such template");
        if (!s.content.includes("vztmpl")) throw fail(`storage '${storeid}' does not support templates`);
        const volid = `${storeid}:vztmpl/${name}`;
        return world.tasks.start("download", name, who.authid, fault, async (ctx) => {
          const target = volumePath(s, `vztmpl/${name}`);
          ctx.log(`starting template download from: http://download.proxmox.com/images/system/${name}`);
          ctx.log(`target file: ${target}`);
          await ctx.faultPoint();
          if (s.volumes.has(volid) && !bool(params, "force")) {
            ctx.log(`file '${target}' already exists, skipping download`);
            return;
          }
          if (tpl.size > avail(s))
            throw fail(`write to '${target}.tmp.${ctx.task.pid}' failed: No space left on device`);
          await ctx.sleep(5000);
          ctx.log(`${(tpl.size / 2 ** 20).toFixed(2)} MB downloaded`);
          s.volumes.set(volid, {
            volid,
            content: "vztmpl",
            size: tpl.size,
            format: name.endsWith(".tar.xz") ? "txz" : "tzst",
            ctime: Math.floor(Date.now() / 1000),
          });
          ctx.log(`download of 'http://download.proxmox.com/images/system/${name}' to '${target}' finished`);
        }).upid;
      },
    },
  ];
}
