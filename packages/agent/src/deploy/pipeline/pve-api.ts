import { z } from "zod";
import type { GuestType } from "../../proxmox/client.ts";
import { PveError } from "../../proxmox/errors.ts";

/** The request engine behind PveClient (TokenEngine); raw calls for what PveClient does not offer yet. */
export interface PveEngine {
  doRequest(
    method: string,
    path: string,
    template: string,
    params?: Record<string, unknown>,
  ): Promise<unknown>;
}

const upid = z.string().regex(/^UPID:[^:]+:/, "is not a UPID");
const num = z.union([z.number(), z.string().regex(/^\d+$/).transform(Number)]);
const ipAddresses = z.array(z.object({ "ip-address": z.string(), "ip-address-type": z.string() })).optional();
const lxcInterfaces = z
  .array(
    z
      .object({
        name: z.string(),
        hwaddr: z.string().optional(),
        inet: z.string().optional(),
        inet6: z.string().optional(),
        "ip-addresses": ipAddresses,
      })
      .passthrough(),
  )
  .nullable();
const agentInterfaces = z.object({
  result: z.array(
    z.object({ name: z.string(), "hardware-address": z.string().optional(), "ip-addresses": ipAddresses }),
  ),
});
const snapshots = z.array(z.object({ name: z.string() }).passthrough());
const snapshotEntries = z.array(
  z.object({
    name: z.string(),
    snaptime: num.optional(),
    description: z.string().optional(),
    parent: z.string().optional(),
  }),
);
const config = z.record(z.string(), z.unknown());
const volumes = z.array(z.object({ volid: z.string() }).passthrough());
const flag = z
  .union([z.number(), z.boolean(), z.string()])
  .transform((v) => v === 1 || v === true || v === "1");
const backups = z.array(
  z
    .object({
      volid: z.string(),
      size: num.default(0),
      ctime: num.default(0),
      notes: z.string().optional(),
      protected: flag.optional(),
      format: z.string().optional(),
    })
    .passthrough(),
);
const pruneMarks = z.array(
  z.object({ volid: z.string(), ctime: num, mark: z.enum(["keep", "remove", "protected", "renamed"]) }),
);
const taskList = z.array(
  z
    .object({ upid: z.string(), type: z.string(), id: z.string().optional(), status: z.string().optional() })
    .passthrough(),
);
const aplinfo = z.array(z.object({ template: z.string(), os: z.string().optional() }).passthrough());

/**
 * The Proxmox calls the deploy pipeline needs beyond PveClient, each checked at the edge and
 * failing with PveError carrying Proxmox's own text (the engine builds those).
 */
export class PveApi {
  constructor(
    readonly engine: PveEngine,
    readonly node: string,
  ) {}

  /** One raw call, its answer checked against `schema` (PveError with Proxmox's text on failure). */
  async call<S extends z.ZodType>(
    method: string,
    path: string,
    schema: S,
    params?: Record<string, unknown>,
  ): Promise<z.infer<S>> {
    const data = await this.engine.doRequest(method, `/api2/json${path}`, path, params);
    const parsed = schema.safeParse(data);
    if (!parsed.success)
      throw new PveError(
        `unexpected answer from ${method} ${path}: ${parsed.error.message}`,
        undefined,
        method,
        path,
      );
    return parsed.data;
  }

  #guest(type: GuestType, vmid: number): string {
    return `/nodes/${this.node}/${type}/${vmid}`;
  }

  /** GET /cluster/nextid (a string on real servers). */
  nextId(): Promise<number> {
    return this.call("GET", "/cluster/nextid", num);
  }

  /** POST /nodes/{n}/lxc; returns the UPID. */
  createLxc(params: Record<string, string | number>): Promise<string> {
    return this.call("POST", `/nodes/${this.node}/lxc`, upid, params);
  }

  /** POST /nodes/{n}/qemu (a new VM, or a restore with `archive`); returns the UPID. */
  createVm(params: Record<string, string | number>): Promise<string> {
    return this.call("POST", `/nodes/${this.node}/qemu`, upid, params);
  }

  /** POST /nodes/{n}/qemu/{id}/template: the stopped VM becomes a template; returns the UPID. */
  makeTemplate(vmid: number): Promise<string> {
    return this.call("POST", `${this.#guest("qemu", vmid)}/template`, upid);
  }

  /** POST /nodes/{n}/storage/{s}/download-url: PVE downloads a file onto the storage; returns the UPID. */
  downloadUrl(storage: string, params: { url: string; filename: string; content: string }): Promise<string> {
    return this.call("POST", `/nodes/${this.node}/storage/${storage}/download-url`, upid, params);
  }

  /** POST /nodes/{n}/qemu/{template}/clone; returns the UPID. */
  cloneVm(template: number, params: Record<string, string | number>): Promise<string> {
    return this.clone("qemu", template, params);
  }

  /** POST …/{vmid}/clone (CT or VM); returns the UPID. */
  clone(type: GuestType, vmid: number, params: Record<string, string | number>): Promise<string> {
    return this.call("POST", `${this.#guest(type, vmid)}/clone`, upid, params);
  }

  /** GET …/config. */
  config(type: GuestType, vmid: number): Promise<Record<string, unknown>> {
    return this.call("GET", `${this.#guest(type, vmid)}/config`, config);
  }

  /** PUT …/config (synchronous). */
  async setConfig(type: GuestType, vmid: number, params: Record<string, string | number>): Promise<void> {
    await this.call("PUT", `${this.#guest(type, vmid)}/config`, z.unknown(), params);
  }

  /** PUT …/resize; returns the UPID. */
  resize(type: GuestType, vmid: number, disk: string, size: string): Promise<string> {
    return this.call("PUT", `${this.#guest(type, vmid)}/resize`, upid, { disk, size });
  }

  /** POST …/status/{action} (shutdown: `timeout`, `forceStop`); returns the UPID. */
  power(
    type: GuestType,
    vmid: number,
    action: "start" | "stop" | "shutdown" | "reboot",
    params?: Record<string, string | number>,
  ): Promise<string> {
    return this.call("POST", `${this.#guest(type, vmid)}/status/${action}`, upid, params);
  }

  /** GET …/status/current; undefined when the guest does not exist. */
  async status(type: GuestType, vmid: number): Promise<{ status: string; lock?: string } | undefined> {
    try {
      return await this.call(
        "GET",
        `${this.#guest(type, vmid)}/status/current`,
        z.object({ status: z.string(), lock: z.string().optional() }),
      );
    } catch (err) {
      if (err instanceof PveError && /does not exist/.test(err.message)) return undefined;
      throw err;
    }
  }

  /** DELETE the guest with purge and its unreferenced disks; returns the UPID. */
  destroy(type: GuestType, vmid: number): Promise<string> {
    return this.call("DELETE", this.#guest(type, vmid), upid, { purge: 1, "destroy-unreferenced-disks": 1 });
  }

  /** GET /nodes/{n}/lxc/{id}/interfaces (null while stopped). */
  lxcInterfaces(vmid: number) {
    return this.call("GET", `${this.#guest("lxc", vmid)}/interfaces`, lxcInterfaces);
  }

  /** GET /nodes/{n}/qemu/{id}/agent/network-get-interfaces. */
  agentInterfaces(vmid: number) {
    return this.call("GET", `${this.#guest("qemu", vmid)}/agent/network-get-interfaces`, agentInterfaces);
  }

  /** GET …/snapshot (names, `current` included). */
  async snapshots(type: GuestType, vmid: number): Promise<string[]> {
    const list = await this.call("GET", `${this.#guest(type, vmid)}/snapshot`, snapshots);
    return list.map((s) => s.name);
  }

  /** GET …/snapshot as entries (`current` left out): name, time, description, parent. */
  async snapshotEntries(type: GuestType, vmid: number) {
    const list = await this.call("GET", `${this.#guest(type, vmid)}/snapshot`, snapshotEntries);
    return list.filter((s) => s.name !== "current");
  }

  /** POST …/snapshot; returns the UPID. */
  snapshot(type: GuestType, vmid: number, snapname: string, description?: string): Promise<string> {
    return this.call("POST", `${this.#guest(type, vmid)}/snapshot`, upid, {
      snapname,
      ...(description ? { description } : {}),
    });
  }

  /** POST …/snapshot/{s}/rollback; returns the UPID. */
  rollback(type: GuestType, vmid: number, snapname: string): Promise<string> {
    return this.call("POST", `${this.#guest(type, vmid)}/snapshot/${snapname}/rollback`, upid);
  }

  /** DELETE …/snapshot/{s}; returns the UPID. */
  deleteSnapshot(type: GuestType, vmid: number, snapname: string): Promise<string> {
    return this.call("DELETE", `${this.#guest(type, vmid)}/snapshot/${snapname}`, upid);
  }

  /** Volume ids of one content type on a storage. */
  async content(storage: string, content: string): Promise<string[]> {
    const list = await this.call("GET", `/nodes/${this.node}/storage/${storage}/content`, volumes, {
      content,
    });
    return list.map((v) => v.volid);
  }

  /** Backup volume ids of one guest on a storage. */
  async backups(storage: string, vmid: number): Promise<string[]> {
    const path = `/nodes/${this.node}/storage/${storage}/content`;
    const list = await this.call("GET", path, volumes, { content: "backup", vmid });
    return list.map((v) => v.volid);
  }

  /** DELETE a storage volume; returns the UPID (imgdel). */
  deleteVolume(storage: string, volid: string): Promise<string> {
    return this.call(
      "DELETE",
      `/nodes/${this.node}/storage/${storage}/content/${encodeURIComponent(volid)}`,
      upid,
    );
  }

  /** The backups of one guest on a storage, with notes, size, time and protection. */
  backupVolumes(storage: string, vmid: number) {
    const path = `/nodes/${this.node}/storage/${storage}/content`;
    return this.call("GET", path, backups, { content: "backup", vmid });
  }

  /** POST /nodes/{n}/vzdump; returns the UPID. */
  vzdump(params: Record<string, string | number>): Promise<string> {
    return this.call("POST", `/nodes/${this.node}/vzdump`, upid, params);
  }

  /** GET …/prunebackups: what a prune would keep and remove (a dry run). */
  pruneMarks(storage: string, params: Record<string, string | number>) {
    return this.call("GET", `/nodes/${this.node}/storage/${storage}/prunebackups`, pruneMarks, params);
  }

  /** DELETE …/prunebackups: prunes; returns the UPID. */
  prune(storage: string, params: Record<string, string | number>): Promise<string> {
    return this.call("DELETE", `/nodes/${this.node}/storage/${storage}/prunebackups`, upid, params);
  }

  /** PUT …/content/{volume}: notes and protection of a backup (synchronous). */
  async setVolume(
    storage: string,
    volid: string,
    attrs: { protected?: 0 | 1; notes?: string },
  ): Promise<void> {
    const path = `/nodes/${this.node}/storage/${storage}/content/${encodeURIComponent(volid)}`;
    await this.call("PUT", path, z.unknown(), attrs);
  }

  /** GET /nodes/{n}/tasks filtered (e.g. running vzdump tasks of a guest). */
  tasks(params: Record<string, string | number>) {
    return this.call("GET", `/nodes/${this.node}/tasks`, taskList, params);
  }

  /** GET /nodes/{n}/aplinfo: the templates Proxmox can download. */
  aplinfo() {
    return this.call("GET", `/nodes/${this.node}/aplinfo`, aplinfo);
  }

  /** POST /nodes/{n}/aplinfo: downloads a template; returns the UPID. */
  downloadTemplate(storage: string, template: string): Promise<string> {
    return this.call("POST", `/nodes/${this.node}/aplinfo`, upid, { storage, template });
  }
}
