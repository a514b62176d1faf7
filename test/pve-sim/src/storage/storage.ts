/** Content types PVE storages carry. */
export type Content = "images" | "rootdir" | "vztmpl" | "iso" | "backup" | "snippets" | "import";

/** One volume on a storage. */
export interface Volume {
  volid: string;
  content: Content;
  size: number;
  format: string;
  ctime: number;
  vmid?: number;
  notes?: string;
  protected?: boolean;
  subtype?: "lxc" | "qemu";
  /** For backups: the guest config at backup time (restore reads it back). */
  backupConfig?: Record<string, string>;
  /** A stock cloud image (download-url): a VM whose disk is imported from it has no guest agent. */
  cloudImage?: boolean;
}

/** A storage of the node. */
export interface Storage {
  id: string;
  type: "dir" | "lvmthin";
  content: Content[];
  total: number;
  /** Space taken by things the simulator does not list (fill-storage fault). */
  extraUsed: number;
  snapshots: boolean;
  path?: string;
  volumes: Map<string, Volume>;
}

const GiB = 2 ** 30;

/** The two storages of a fresh PVE install: `local` (dir) and `local-lvm` (lvmthin). */
export function defaultStorages(localPath = "/var/lib/vz"): Storage[] {
  return [
    {
      id: "local",
      type: "dir",
      content: ["iso", "vztmpl", "backup"],
      total: 100 * GiB,
      extraUsed: 4 * GiB,
      snapshots: false,
      path: localPath,
      volumes: new Map(),
    },
    {
      id: "local-lvm",
      type: "lvmthin",
      content: ["rootdir", "images"],
      total: 350 * GiB,
      extraUsed: 0,
      snapshots: true,
      volumes: new Map(),
    },
  ];
}

/** Bytes used on a storage. */
export function used(s: Storage): number {
  let n = s.extraUsed;
  for (const v of s.volumes.values()) n += v.size;
  return Math.min(n, s.total);
}

/** Bytes still free. */
export function avail(s: Storage): number {
  return Math.max(0, s.total - used(s));
}

/** Splits a volume id into storage and name. */
export function parseVolid(volid: string): { storage: string; name: string } | undefined {
  const m = /^([a-z][a-z0-9\-_.]*[a-z0-9]):(.+)$/i.exec(volid);
  return m ? { storage: m[1]!, name: m[2]! } : undefined;
}

/** The path a volume has on the node (for logs). */
export function volumePath(s: Storage, name: string): string {
  if (s.type === "lvmthin") return `/dev/pve/${name.split("/").at(-1)}`;
  const [dir, file] = name.includes("/") ? name.split("/", 2) : ["images", name];
  const sub =
    { vztmpl: "template/cache", iso: "template/iso", backup: "dump", images: "images" }[dir!] ?? dir;
  return `${s.path}/${sub}/${file}`;
}
