import type { IncomingMessage, ServerResponse } from "node:http";
import { checkApiPermissions } from "../auth/permissions.ts";
import { parametersFor, permissionsFor } from "../auth/pve9.ts";
import { expandIndexed, validateParams } from "../schema/validate.ts";
import type { World } from "../world.ts";
import { errorText, PveError } from "./errors.ts";
import { decodeUrlencoded, normalize, shapeArrays } from "./params.ts";
import { writeResponse } from "./respond.ts";
import { type Ctx, type Router, WithTotal } from "./router.ts";

const KNOWN_METHODS = new Set(["GET", "POST", "PUT", "DELETE"]);
const MAX_POST = 64 * 1024;

// Calls that need no credentials (PVE's auth_handler exempts them).
const NO_AUTH = new Set(["GET /access/ticket", "POST /access/ticket", "GET /access/domains"]);

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on("data", (c: Buffer) => chunks.push(c));
    req.on("end", () => resolve(Buffer.concat(chunks).toString("utf8")));
    req.on("error", reject);
  });
}

const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

/** The /api2 request handler: transport rules, auth, routing, parameter checks, handler. */
export function apiHandler(world: World, router: Router) {
  return async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const gzip = /gzip/.test(String(req.headers["accept-encoding"] ?? ""));
    const started = Date.now();
    // What the call log records of this call (the token's id, never its secret).
    const call: { method: string; path: string; params: Record<string, unknown>; token?: string } = {
      method: req.method ?? "GET",
      path: (req.url ?? "/").split("?")[0] ?? "/",
      params: {},
    };
    const logCall = (status: number): void =>
      world.callLog?.({ kind: "api", ...call, params: masked(call.params), status });
    const plain = (status: number, text: string): void => {
      logCall(status);
      writeResponse(res, status, text, undefined, gzip);
    };
    const json = (status: number, reason: string, body: Record<string, unknown>): void => {
      logCall(status);
      writeResponse(res, status, reason, JSON.stringify(body), gzip);
    };
    const authDelay = async (): Promise<void> => {
      const left = world.opts.auth401DelayMs - (Date.now() - started);
      if (left > 0) await sleep(left);
    };
    try {
      const method = req.method ?? "GET";
      const url = new URL(req.url ?? "/", "https://localhost");
      let path: string;
      try {
        path = decodeURIComponent(url.pathname);
      } catch {
        path = url.pathname;
      }
      if (!KNOWN_METHODS.has(method)) return plain(501, `method '${method}' not available`);
      if (req.headers["transfer-encoding"]) {
        const te = String(req.headers["transfer-encoding"]);
        return plain(
          501,
          te.toLowerCase() === "chunked"
            ? "chunked transfer encoding not supported"
            : `Unknown transfer encoding '${te}'`,
        );
      }
      if (!path.startsWith("/api2")) return plain(501, `no such file '${path}'`);
      const m = /^\/api2\/+([a-z][a-z0-9]+)(\/.*)?$/.exec(path);
      if (m?.[1] !== "json") return plain(501, "no such uri");
      const rel = (m[2] ?? "/").replace(/\/+$/, "") || "/";
      const match = world.schema.match(rel);
      let who: Ctx["who"];
      if (NO_AUTH.has(`${method} ${rel}`)) {
        who = { userid: "", authid: "", viaTicket: false };
      } else {
        try {
          who = world.auth.authenticate(method, req.headers);
          call.token = who.authid;
          // Tokens are checked against the method's `allowtoken` before anything else.
          if (who.tokenid) {
            const info = match?.entry.info[method];
            if (!info) throw new PveError(501, `Method '${method} ${rel}' not implemented`, undefined, true);
            if (!info.allowtoken)
              throw new PveError(403, "API token not allowed for this method", undefined, true);
          }
        } catch (err) {
          await authDelay();
          const e = err instanceof PveError ? err : new PveError(401, errorText(err));
          return plain(e.status, e.message);
        }
      }
      const length = Number(req.headers["content-length"] ?? 0);
      let params: Record<string, unknown> = {};
      if (length > 0) {
        if (method !== "POST" && method !== "PUT")
          return plain(501, `Unexpected content for method '${method}'`);
        if (length > MAX_POST) return plain(501, "for data too large");
        const ct = String(req.headers["content-type"] ?? "").split(/\s*[;,]\s*/)[0];
        if (ct && ct !== "application/x-www-form-urlencoded" && ct !== "application/json") {
          return plain(506, `upload 'Content-Type '${req.headers["content-type"]}' not implemented`);
        }
        const body = await readBody(req);
        if (ct === "application/json") {
          try {
            const parsed: unknown = JSON.parse(body);
            params =
              parsed && typeof parsed === "object" && !Array.isArray(parsed)
                ? (parsed as Record<string, unknown>)
                : {};
          } catch (err) {
            throw new PveError(400, `malformed JSON string, ${errorText(err)}\n`);
          }
        } else params = decodeUrlencoded(body);
      }
      Object.assign(params, decodeUrlencoded(url.search.slice(1)));
      delete params._dc;
      call.path = rel;
      call.params = params;
      const result = await dispatch(world, router, method, rel, match, params, who);
      const body: Record<string, unknown> =
        result instanceof WithTotal ? { data: result.data, total: result.total } : { data: result ?? null };
      json(200, "OK", body);
    } catch (err) {
      const e = err instanceof PveError ? err : new PveError(500, `${errorText(err)}\n`);
      if (e.status === 401) await authDelay();
      const body: Record<string, unknown> = { data: null };
      if (!world.opts.legacyErrorBody) body.message = e.message;
      if (e.errors && Object.keys(e.errors).length) body.errors = e.errors;
      json(e.status, e.message, body);
    }
  };
}

/** Parameters as the call log shows them: passwords and secrets replaced. */
function masked(params: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(params).map(([k, v]) => [k, /password|secret/i.test(k) ? "********" : v]),
  );
}

async function dispatch(
  world: World,
  router: Router,
  method: string,
  rel: string,
  match: ReturnType<World["schema"]["match"]>,
  raw: Record<string, unknown>,
  who: Ctx["who"],
): Promise<unknown> {
  const notImplemented = new PveError(501, `Method '${method} ${rel}' not implemented`);
  const info = match?.entry.info[method];
  if (!match || !info) throw notImplemented;
  const route = router.get(method, match.entry.path);
  const params: Record<string, unknown> = { ...match.vars };
  for (const [k, v] of Object.entries(raw)) {
    if (match.vars[k] !== undefined)
      throw new PveError(400, "Parameter verification failed.\n", {
        [k]: "duplicate parameter (already defined in URI)",
      });
    params[k] = v;
  }
  if (who.authid) {
    const perms = permissionsFor(world.pveVersion, method, match.entry.path, info.permissions);
    checkApiPermissions(world.auth, who, perms, params);
  }
  if (!route) throw notImplemented;
  // proxyto: another node name would be proxied; on a one-node cluster the lookup fails.
  if (info.proxyto && params[info.proxyto] !== undefined && params[info.proxyto] !== world.node) {
    const n = String(params[info.proxyto]);
    throw new PveError(
      500,
      `hostname lookup '${n}' failed - failed to get address info for: ${n}: Name or service not known\n`,
    );
  }
  const props = parametersFor(
    world.opts.pveVersion,
    method,
    match.entry.path,
    expandIndexed(info.parameters?.properties ?? {}),
  );
  shapeArrays(params, props);
  const errors = validateParams(params, props, info.parameters?.additionalProperties);
  if (Object.keys(errors).length) throw new PveError(400, "Parameter verification failed.\n", errors);
  const vmid = params.vmid !== undefined ? Number(params.vmid) : undefined;
  const fault = world.faults.takeForRequest(method, rel, vmid);
  if (fault && !route.async) {
    if (fault.action === "hang") await new Promise(() => {});
    if (fault.action === "fail") throw new PveError(500, `${fault.message ?? "simulated failure"}\n`);
  }
  return route.handler({ world, params: normalize(params), who, fault: route.async ? fault : undefined });
}
