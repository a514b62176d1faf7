import { PveError } from "../server/errors.ts";
import type { AuthStore, Identity } from "./auth.ts";

// exec_api2_perm_check of PVE's RPCEnvironment, for the check forms the schema uses on the
// simulated endpoints: ["perm", path, privs, options...], ["and", ...], ["or", ...].

function deny(what?: string): PveError {
  return new PveError(403, what ? `Permission check failed (${what})\n` : "Permission check failed\n");
}

function template(path: string, params: Record<string, unknown>): string {
  return path.replace(/\{([^}]+)\}/g, (_, k: string) => String(params[k] ?? ""));
}

function evalCheck(
  auth: AuthStore,
  id: Identity,
  check: unknown[],
  params: Record<string, unknown>,
  noerr: boolean,
): boolean {
  const [test, ...rest] = check;
  if (test === "perm") {
    const [tmpl, privs, ...opts] = rest as [string, string[], ...unknown[]];
    const options: Record<string, unknown> = {};
    for (let i = 0; i + 1 < opts.length; i += 2) options[String(opts[i])] = opts[i + 1];
    const req = options.require_param;
    if (typeof req === "string" && params[req] === undefined) {
      if (noerr) return false;
      throw deny();
    }
    const path = template(tmpl, params).replace(/\/+$/, "") || "/";
    try {
      auth.check(id, path, privs, Boolean(options.any));
      return true;
    } catch (err) {
      if (noerr) return false;
      throw err;
    }
  }
  if (test === "and") {
    for (const sub of rest) if (!evalCheck(auth, id, sub as unknown[], params, noerr)) return false;
    return true;
  }
  if (test === "or") {
    for (const sub of rest) if (evalCheck(auth, id, sub as unknown[], params, true)) return true;
    if (noerr) return false;
    throw deny();
  }
  // Forms the simulator does not model (userid-param, userid-group, ...) only pass for root.
  if (id.authid === "root@pam") return true;
  if (noerr) return false;
  throw deny();
}

/** check_api2_permissions: world/all/check, with root@pam (not its tokens) always allowed. */
export function checkApiPermissions(
  auth: AuthStore,
  id: Identity,
  perm: { user?: string; check?: unknown[] } | undefined,
  params: Record<string, unknown>,
): void {
  if (perm?.user === "world") return;
  if (id.authid === "root@pam") return;
  if (!perm) throw deny("user != root@pam");
  if (perm.user === "all") return;
  if (perm.check) {
    evalCheck(auth, id, perm.check, params, false);
    return;
  }
  throw deny();
}
