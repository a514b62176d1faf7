import { request } from "node:https";
import { type Sim, startSimulator } from "@pylon/pve-sim";
import { PveClient } from "../proxmox/client.ts";
import { waitForTask } from "../proxmox/tasks.ts";

export const TEMPLATE = "local:vztmpl/debian-12-standard_12.7-1_amd64.tar.zst";

/** A fast simulator (zero-length tasks, no 401 delay, no SSH) for agent tests. */
export function startTestSim(opts: Parameters<typeof startSimulator>[0] = {}): Promise<Sim> {
  return startSimulator({ clockScale: 0, auth401DelayMs: 0, ssh: false, ...opts });
}

/** The agent's Proxmox client for a simulator, with its CA and root token. */
export function clientFor(sim: Sim): PveClient {
  return new PveClient({
    url: new URL(sim.apiUrl).origin,
    tokenId: sim.token.tokenId,
    tokenSecret: sim.token.secret,
    ca: sim.caCertPem,
  });
}

/** A raw form-encoded API call (setup the agent's narrow client does not offer). */
export function simCall(
  sim: Sim,
  method: string,
  path: string,
  params: Record<string, string | number> = {},
): Promise<unknown> {
  const query = new URLSearchParams(
    Object.entries(params).map(([k, v]): [string, string] => [k, String(v)]),
  ).toString();
  const inQuery = method === "GET" || method === "DELETE";
  const body = inQuery ? "" : query;
  return new Promise((resolve, reject) => {
    const req = request(
      sim.apiUrl + path + (inQuery && query ? `?${query}` : ""),
      {
        method,
        ca: sim.caCertPem,
        headers: {
          authorization: sim.token.header,
          "content-type": "application/x-www-form-urlencoded",
          "content-length": Buffer.byteLength(body),
        },
      },
      (res) => {
        let text = "";
        res.on("data", (c: Buffer) => {
          text += c.toString();
        });
        res.on("end", () => {
          if (res.statusCode !== 200)
            return reject(new Error(`${method} ${path}: ${res.statusCode} ${res.statusMessage}`));
          const parsed: unknown = JSON.parse(text);
          resolve(
            typeof parsed === "object" && parsed !== null && "data" in parsed ? parsed.data : undefined,
          );
        });
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}

/** Creates a stopped CT and waits for its create task. */
export async function createCt(sim: Sim, vmid: number): Promise<void> {
  const upid = await simCall(sim, "POST", `/nodes/${sim.node}/lxc`, {
    vmid,
    ostemplate: TEMPLATE,
    hostname: `ct${vmid}`,
    rootfs: "local-lvm:1",
  });
  if (typeof upid !== "string") throw new Error("create did not return a UPID");
  await waitForTask(clientFor(sim), upid, { intervalMs: 20 });
}

/** Clones the seeded VM template 9000 into a stopped VM. */
export async function createVm(sim: Sim, vmid: number): Promise<void> {
  const upid = await simCall(sim, "POST", `/nodes/${sim.node}/qemu/9000/clone`, {
    newid: vmid,
    name: `vm${vmid}`,
  });
  if (typeof upid !== "string") throw new Error("clone did not return a UPID");
  await waitForTask(clientFor(sim), upid, { intervalMs: 20 });
}

/** Adds a fault through the control API (fail / hang / warn the next matching operation). */
export async function addFault(sim: Sim, fault: Record<string, unknown>): Promise<void> {
  const res = await fetch(`${sim.controlUrl}/faults`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(fault),
  });
  if (!res.ok) throw new Error(`fault: ${res.status} ${await res.text()}`);
}
