import { Agent, request } from "node:https";
import type { Sim } from "../src/index.ts";

/** One API answer as a client sees it. */
export interface Answer {
  status: number;
  reason: string;
  headers: Record<string, string | string[] | undefined>;
  raw: string;
  // biome-ignore lint/suspicious/noExplicitAny: test helper reads arbitrary JSON shapes
  body: any;
}

/** How a call authenticates: the sim's root token (default), another header, or none. */
export interface CallOpts {
  auth?: string | null;
  cookie?: string;
  csrf?: string;
  json?: boolean;
  headers?: Record<string, string>;
}

function encode(params: Record<string, unknown>): string {
  const parts: string[] = [];
  for (const [k, v] of Object.entries(params)) {
    for (const item of Array.isArray(v) ? v : [v])
      parts.push(`${encodeURIComponent(k)}=${encodeURIComponent(String(item))}`);
  }
  return parts.join("&");
}

const agents = new WeakMap<Sim, Agent>();

// One keep-alive agent per simulator, pinned to its CA, like a real client would hold.
function agentFor(sim: Sim): Agent {
  let a = agents.get(sim);
  if (!a) {
    a = new Agent({ keepAlive: true, ca: sim.caCertPem, maxSockets: 16 });
    agents.set(sim, a);
  }
  return a;
}

/** Calls the simulator's API over HTTPS, pinning its CA. */
export function call(
  sim: Sim,
  method: string,
  path: string,
  params: Record<string, unknown> = {},
  opts: CallOpts = {},
): Promise<Answer> {
  const url = new URL(sim.apiUrl + path);
  let body: string | undefined;
  const headers: Record<string, string> = { ...opts.headers };
  if (method === "GET" || method === "DELETE") {
    const q = encode(params);
    if (q) url.search = url.search ? `${url.search}&${q}` : q;
  } else if (Object.keys(params).length) {
    body = opts.json ? JSON.stringify(params) : encode(params);
    headers["Content-Type"] = opts.json ? "application/json" : "application/x-www-form-urlencoded";
    headers["Content-Length"] = String(Buffer.byteLength(body));
  }
  if (opts.auth !== null) headers.Authorization = opts.auth ?? sim.token.header;
  if (opts.cookie) headers.Cookie = `PVEAuthCookie=${opts.cookie}`;
  if (opts.csrf) headers.CSRFPreventionToken = opts.csrf;
  return new Promise((resolve, reject) => {
    const req = request(url, { method, headers, agent: agentFor(sim) }, (res) => {
      const chunks: Buffer[] = [];
      res.on("data", (c: Buffer) => chunks.push(c));
      res.on("end", () => {
        const raw = Buffer.concat(chunks).toString("utf8");
        let parsed: unknown;
        try {
          parsed = raw ? JSON.parse(raw) : undefined;
        } catch {
          parsed = undefined;
        }
        resolve({
          status: res.statusCode ?? 0,
          reason: res.statusMessage ?? "",
          headers: res.headers,
          raw,
          body: parsed,
        });
      });
    });
    req.on("error", reject);
    req.end(body);
  });
}

/** `data` of a 200 answer; throws with the reason otherwise. */
export async function ok(
  sim: Sim,
  method: string,
  path: string,
  params: Record<string, unknown> = {},
  opts: CallOpts = {},
) {
  const a = await call(sim, method, path, params, opts);
  if (a.status !== 200) throw new Error(`${method} ${path}: ${a.status} ${a.reason} ${a.raw}`);
  return a.body.data;
}

/** Polls a task until it stops; returns its final status and log lines. */
export async function waitTask(
  sim: Sim,
  upid: string,
  opts: CallOpts = {},
): Promise<{ status: Record<string, unknown>; log: string[]; polls: number }> {
  let polls = 0;
  for (;;) {
    polls++;
    const s = await ok(sim, "GET", `/nodes/${sim.node}/tasks/${encodeURIComponent(upid)}/status`, {}, opts);
    if (s.status === "stopped") {
      const log = await ok(
        sim,
        "GET",
        `/nodes/${sim.node}/tasks/${encodeURIComponent(upid)}/log`,
        { limit: 1000 },
        opts,
      );
      return { status: s, log: log.map((l: { t: string }) => l.t), polls };
    }
    await new Promise((r) => setTimeout(r, 5));
  }
}

/** Runs an async endpoint and waits for its task. */
export async function run(sim: Sim, method: string, path: string, params: Record<string, unknown> = {}) {
  const upid = await ok(sim, method, path, params);
  return waitTask(sim, upid);
}

/** Calls the control API. */
export async function control(sim: Sim, method: string, path: string, body?: unknown) {
  const res = await fetch(sim.controlUrl + path, {
    method,
    headers: body === undefined ? {} : { "Content-Type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const json = (await res.json()) as { data?: unknown; error?: string };
  if (!res.ok) throw new Error(json.error);
  // biome-ignore lint/suspicious/noExplicitAny: test helper reads arbitrary JSON shapes
  return json.data as any;
}

/** Default template volume on a fresh simulator. */
export const TEMPLATE = "local:vztmpl/debian-12-standard_12.7-1_amd64.tar.zst";

/** Creates a CT with sensible defaults and waits for the task. */
export async function createCt(sim: Sim, vmid: number, extra: Record<string, unknown> = {}) {
  return run(sim, "POST", `/nodes/${sim.node}/lxc`, {
    vmid,
    ostemplate: TEMPLATE,
    hostname: `ct${vmid}`,
    rootfs: "local-lvm:8",
    net0: "name=eth0,bridge=vmbr0,ip=dhcp",
    unprivileged: 1,
    ...extra,
  });
}

/**
 * Polls `check` until it holds (no fixed sleep racing the simulator's work); gives up after
 * `timeoutMs`, a bound that holds on a loaded machine.
 */
export async function eventually(
  check: () => boolean | Promise<boolean>,
  what: string,
  timeoutMs = 15_000,
): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!(await check())) {
    if (Date.now() > end) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}
