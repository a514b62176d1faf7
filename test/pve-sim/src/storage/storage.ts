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
  /** For backups: a copy of the guest's files (the sandbox) taken by vzdump, restored by create. */
  archiveDir?: string;
  /** For backups: damaged (a test fault); restoring it fails like a truncated archive does. */
  corrupt?: boolean;
}

/** Storage types the simulator models (PVE's storage plugins of the same names). */
export const STORAGE_TYPES = ["dir", "lvmthin", "lvm", "zfspool", "nfs", "btrfs", "pbs"] as const;
export type StorageType = (typeof STORAGE_TYPES)[number];

/** A storage of the node. */
export interface Storage {
  id: string;
  type: StorageType;
  content: Content[];
  total: number;
  /** Space taken by things the simulator does not list (fill-storage fault). */
  extraUsed: number;
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
      path: localPath,
      volumes: new Map(),
    },
    {
      id: "local-lvm",
      type: "lvmthin",
      content: ["rootdir", "images"],
      total: 350 * GiB,
      extraUsed: 0,
      volumes: new Map(),
    },
  ];
}

/** What an extra storage is made of (`SimOptions.storages`, `--storage id:type[:content]`). */
export interface StorageSpec {
  id: string;
  type: StorageType;
  /** Content types (default: what the type usually holds). */
  content?: Content[];
  totalGb?: number;
}

const DEFAULT_CONTENT: Record<StorageType, Content[]> = {
  dir: ["images", "rootdir", "backup"],
  nfs: ["images", "rootdir", "backup"],
  btrfs: ["images", "rootdir"],
  lvmthin: ["images", "rootdir"],
  lvm: ["images", "rootdir"],
  zfspool: ["images", "rootdir"],
  pbs: ["backup"],
};

/** A storage as configured in storage.cfg (an extra one beside `local` and `local-lvm`). */
export function storageFrom(spec: StorageSpec): Storage {
  const fileBased = spec.type === "dir" || spec.type === "nfs" || spec.type === "btrfs";
  return {
    id: spec.id,
    type: spec.type,
    content: spec.content ?? DEFAULT_CONTENT[spec.type],
    total: (spec.totalGb ?? 200) * GiB,
    extraUsed: 0,
    ...(fileBased ? { path: spec.type === "nfs" ? `/mnt/pve/${spec.id}` : `/mnt/${spec.id}` } : {}),
    volumes: new Map(),
  };
}

/** Parses `id:type[:content,content]` (the CLI's `--storage`). */
export function parseStorageSpec(text: string): StorageSpec {
  const [id, type, content] = text.split(":");
  if (!id || !STORAGE_TYPES.includes(type as StorageType))
    throw new Error(
      `--storage ${text}: want id:type[:content,…] with type one of ${STORAGE_TYPES.join(", ")}`,
    );
  return {
    id,
    type: type as StorageType,
    ...(content ? { content: content.split(",") as Content[] } : {}),
  };
}

/**
 * Whether a volume can take snapshots, per Proxmox's storage table: lvmthin, zfspool, rbd,
 * btrfs always; qcow2 images on dir/nfs/cifs; raw on dir/nfs and LVM (thick) never.
 */
export function canSnapshot(s: Storage, v: Volume | undefined): boolean {
  if (s.type === "lvmthin" || s.type === "zfspool" || s.type === "btrfs") return true;
  if (s.type === "dir" || s.type === "nfs") return v?.format === "qcow2";
  return false;
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
  if (s.type === "lvmthin" || s.type === "lvm") return `/dev/pve/${name.split("/").at(-1)}`;
  if (s.type === "zfspool") return `/rpool/data/${name.split("/").at(-1)}`;
  if (s.type === "pbs") return name.replace(/^backup\//, "");
  const [dir, file] = name.includes("/") ? name.split("/", 2) : ["images", name];
  const sub =
    { vztmpl: "template/cache", iso: "template/iso", backup: "dump", images: "images" }[dir!] ?? dir;
  return `${s.path}/${sub}/${file}`;
}
