import proxmoxApi from "proxmox-api";
import type { z } from "zod";
import { errorMessage } from "../util/errors.ts";
import { TokenEngine } from "./engine.ts";
import { PveError } from "./errors.ts";
import type { PveTls } from "./tls.ts";
import {
  type ClusterResource,
  clusterResourceSchema,
  type GuestStatus,
  guestStatusSchema,
  type NodeStatus,
  nodeStatusSchema,
  type PveVersion,
  permissionsSchema,
  type Storage,
  storageSchema,
  type TaskStatus,
  taskLogSchema,
  taskStatusSchema,
  upidSchema,
  type Volume,
  versionSchema,
  volumeSchema,
} from "./types.ts";

export type GuestType = "lxc" | "qemu";
export type PowerAction = "start" | "stop" | "shutdown" | "reboot";

export interface PveClientOptions {
  /** https://host:8006 (the /api2/json prefix is added by proxmox-api). */
  url: string;
  tokenId: string;
  tokenSecret: string;
  /** PEM of the CA the API certificate chains to (/etc/pve/pve-root-ca.pem). */
  ca?: string | Buffer;
  /** Other ways to verify the certificate (pinned fingerprint, name); overrides `ca`. */
  tls?: PveTls;
  queryTimeoutMs?: number;
}

/**
 * The agent's one door to the Proxmox API, built on proxmox-api with an API token and
 * CA-pinned TLS. Every answer is checked against a local schema; every failure is a
 * PveError carrying Proxmox's own text.
 */
export class PveClient {
  readonly #api: ReturnType<typeof proxmoxApi>;

  constructor(opts: PveClientOptions) {
    const u = new URL(opts.url);
    if (u.protocol !== "https:") throw new Error(`PVE API URL must be https: ${opts.url}`);
    const engine = new TokenEngine({
      origin: `https://${u.host}${u.port ? "" : ":8006"}`,
      tokenId: opts.tokenId,
      tokenSecret: opts.tokenSecret,
      ca: opts.ca,
      ...(opts.tls ? { tls: opts.tls } : {}),
      timeoutMs: opts.queryTimeoutMs,
    });
    this.#api = proxmoxApi(engine);
  }

  /** Runs one API call, validating the answer and mapping failures to PveError. */
  async #call<S extends z.ZodType>(
    method: string,
    path: string,
    schema: S,
    fn: () => Promise<unknown>,
  ): Promise<z.infer<S>> {
    let data: unknown;
    try {
      data = await fn();
    } catch (err) {
      if (err instanceof PveError) throw err;
      throw new PveError(
        `Proxmox API call ${method} ${path} failed: ${errorMessage(err)}`,
        undefined,
        method,
        path,
      );
    }
    const parsed = schema.safeParse(data);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new PveError(
        `unexpected answer from ${method} ${path}: ${issue?.path.join(".") || "data"} ${issue?.message ?? ""}`.trim(),
        undefined,
        method,
        path,
      );
    }
    return parsed.data;
  }

  /** GET /version. */
  version(): Promise<PveVersion> {
    return this.#call("GET", "/version", versionSchema, () => this.#api.version.$get());
  }

  /** GET /access/permissions?path=: the caller's own effective privileges per path. */
  permissions(path: string): Promise<Record<string, Record<string, unknown>>> {
    return this.#call("GET", "/access/permissions", permissionsSchema, () =>
      this.#api.access.permissions.$get({ path }),
    );
  }

  /** GET /nodes/{node}/status. */
  nodeStatus(node: string): Promise<NodeStatus> {
    return this.#call("GET", `/nodes/${node}/status`, nodeStatusSchema, () =>
      this.#api.nodes.$(node).status.$get(),
    );
  }

  /** GET /cluster/resources?type=… */
  clusterResources(type?: "vm" | "storage" | "node"): Promise<ClusterResource[]> {
    return this.#call("GET", "/cluster/resources", clusterResourceSchema.array(), () =>
      this.#api.cluster.resources.$get(type ? { type } : {}),
    );
  }

  /** GET /nodes/{node}/storage. */
  storages(node: string): Promise<Storage[]> {
    return this.#call("GET", `/nodes/${node}/storage`, storageSchema.array(), () =>
      this.#api.nodes.$(node).storage.$get(),
    );
  }

  /** GET /nodes/{node}/storage/{storage}/content?content=… */
  storageContent(node: string, storage: string, content: string): Promise<Volume[]> {
    return this.#call("GET", `/nodes/${node}/storage/${storage}/content`, volumeSchema.array(), () =>
      this.#api.nodes.$(node).storage.$(storage).content.$get({ content }),
    );
  }

  /** GET /nodes/{node}/{lxc|qemu}/{vmid}/status/current. */
  guestStatus(node: string, type: GuestType, vmid: number): Promise<GuestStatus> {
    const guest = this.#api.nodes.$(node);
    return this.#call("GET", `/nodes/${node}/${type}/${vmid}/status/current`, guestStatusSchema, () =>
      type === "lxc" ? guest.lxc.$(vmid).status.current.$get() : guest.qemu.$(vmid).status.current.$get(),
    );
  }

  /** POST /nodes/{node}/{lxc|qemu}/{vmid}/status/{action}; returns the task's UPID. */
  guestPower(node: string, type: GuestType, vmid: number, action: PowerAction): Promise<string> {
    const path = `/nodes/${node}/${type}/${vmid}/status/${action}`;
    const n = this.#api.nodes.$(node);
    return this.#call("POST", path, upidSchema, () => {
      if (type === "lxc") {
        const s = n.lxc.$(vmid).status;
        return action === "start"
          ? s.start.$post()
          : action === "stop"
            ? s.stop.$post()
            : action === "shutdown"
              ? s.shutdown.$post()
              : s.reboot.$post();
      }
      const s = n.qemu.$(vmid).status;
      return action === "start"
        ? s.start.$post()
        : action === "stop"
          ? s.stop.$post()
          : action === "shutdown"
            ? s.shutdown.$post()
            : s.reboot.$post();
    });
  }

  /** GET /nodes/{node}/tasks/{upid}/status. */
  taskStatus(upid: string): Promise<TaskStatus> {
    const node = upidNode(upid);
    return this.#call("GET", `/nodes/${node}/tasks/${upid}/status`, taskStatusSchema, () =>
      this.#api.nodes.$(node).tasks.$(upid).status.$get(),
    );
  }

  /** GET /nodes/{node}/tasks/{upid}/log?start&limit — the lines' text. */
  async taskLog(upid: string, start = 0, limit = 50): Promise<string[]> {
    const node = upidNode(upid);
    const lines = await this.#call("GET", `/nodes/${node}/tasks/${upid}/log`, taskLogSchema, () =>
      this.#api.nodes.$(node).tasks.$(upid).log.$get({ start, limit }),
    );
    return lines.map((l) => l.t);
  }
}

/** The node a UPID belongs to (`UPID:{node}:…`). */
export function upidNode(upid: string): string {
  const node = upid.split(":")[1];
  if (!upid.startsWith("UPID:") || !node) throw new Error(`not a UPID: ${upid}`);
  return node;
}
