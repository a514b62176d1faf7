import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AclEntry } from "../auth/acl.ts";
import { errorText } from "../server/errors.ts";
import { runHostStream } from "../shell/host-stream.ts";
import { findVolume } from "../storage/volumes.ts";
import type { World } from "../world.ts";
import type { FaultRule } from "./faults.ts";
import { stateOf } from "./state.ts";

// The control API is a separate plain-HTTP listener on 127.0.0.1: it is never reachable
// through /api2, so the PVE API surface stays exactly the real one.

function readJson(req: IncomingMessage): Promise<Record<string, unknown>> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => {
      const text = Buffer.concat(chunks).toString("utf8");
      try {
        resolve(text ? (JSON.parse(text) as Record<string, unknown>) : {});
      } catch (err) {
        reject(err);
      }
    });
    req.on("error", reject);
  });
}

function send(res: ServerResponse, status: number, body: unknown): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { "Content-Type": "application/json", "Content-Length": Buffer.byteLength(text) });
  res.end(text);
}

type Handler = (world: World, body: Record<string, unknown>, m: RegExpExecArray) => unknown;

const ROUTES: [string, RegExp, Handler][] = [
  ["GET", /^\/state$/, (w) => stateOf(w)],
  ["GET", /^\/faults$/, (w) => w.faults.list()],
  ["POST", /^\/faults$/, (w, b) => w.faults.add(b as unknown as Omit<FaultRule, "id">)],
  ["DELETE", /^\/faults$/, (w) => w.faults.clear()],
  [
    "POST",
    /^\/tokens$/,
    (w, b) => {
      const t = w.auth.addToken(
        String(b.tokenid),
        b.privsep !== false && b.privsep !== 0,
        typeof b.secret === "string" ? b.secret : undefined,
      );
      return { tokenid: t.authid, secret: t.secret, privsep: t.privsep };
    },
  ],
  [
    "DELETE",
    /^\/tokens\/(.+)$/,
    (w, _b, m) => {
      const t = w.auth.tokens.get(decodeURIComponent(m[1]!));
      if (!t) throw new Error("no such token");
      t.revoked = true;
      return null;
    },
  ],
  [
    "PUT",
    /^\/guests\/(\d+)\/image$/,
    (w, b, m) => {
      // What the VM's disk holds: a stock cloud image has no qemu-guest-agent (clones inherit it).
      const g = w.guest(Number(m[1]), "qemu");
      g.noGuestAgent = b.guestAgent === false;
      return { vmid: g.vmid, guestAgent: !g.noGuestAgent };
    },
  ],
  [
    "PUT",
    /^\/version$/,
    (w, b) => {
      // An in-place upgrade (e.g. to 9.x): the node reports the new version from now on.
      if (typeof b.version !== "string" || !/^\d+\.\d+(\.\d+)?$/.test(b.version))
        throw new Error("version must be like 9.0.10");
      w.pveVersion = b.version;
      return { version: w.pveVersion };
    },
  ],
  [
    "POST",
    /^\/users$/,
    (w, b) => {
      w.auth.passwords.set(String(b.userid), String(b.password));
      w.auth.users.add(String(b.userid));
      return null;
    },
  ],
  [
    "PUT",
    /^\/acl$/,
    (w, b) => {
      w.auth.acl.push(b as unknown as AclEntry);
      return w.auth.acl;
    },
  ],
  [
    "DELETE",
    /^\/acl$/,
    (w) => {
      w.auth.acl = [];
      return null;
    },
  ],
  [
    "POST",
    /^\/storage\/([^/]+)\/fill$/,
    (w, b, m) => {
      const s = w.storage(m[1]!);
      const vols = [...s.volumes.values()].reduce((n, v) => n + v.size, 0);
      // `free`: leave exactly that many bytes; `bytes`: add that much foreign usage; neither: fill up.
      if (typeof b.free === "number") s.extraUsed = Math.max(0, s.total - vols - b.free);
      else s.extraUsed += typeof b.bytes === "number" ? b.bytes : s.total;
      return { storage: s.id, extraUsed: s.extraUsed };
    },
  ],
  [
    "POST",
    /^\/volumes\/corrupt$/,
    (w, b) => {
      const found = findVolume(w, String(b.volid));
      if (found?.volume.content !== "backup") throw new Error(`no backup volume '${String(b.volid)}'`);
      found.volume.corrupt = true;
      return { volid: found.volume.volid, corrupt: true };
    },
  ],
];

/** Starts the control API on 127.0.0.1. */
export function startControlServer(world: World, port: number): Promise<Server> {
  const server = createServer((req, res) => {
    const path = new URL(req.url ?? "/", "http://localhost").pathname;
    const host = /^\/host\/([a-z]+)$/.exec(path);
    if (req.method === "POST" && host) {
      runHostStream(world, host[1]!, req, res);
      return;
    }
    void (async () => {
      try {
        for (const [method, re, handler] of ROUTES) {
          const m = re.exec(path);
          if (!m || method !== req.method) continue;
          const body = method === "GET" ? {} : await readJson(req);
          send(res, 200, { data: (await handler(world, body, m)) ?? null });
          return;
        }
        send(res, 404, { error: `no control route ${req.method} ${path}` });
      } catch (err) {
        send(res, 400, { error: errorText(err) });
      }
    })();
  });
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => resolve(server));
  });
}
