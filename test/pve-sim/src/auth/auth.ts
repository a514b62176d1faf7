import { createHmac, randomBytes, randomUUID, timingSafeEqual } from "node:crypto";
import { PveError } from "../server/errors.ts";
import { type AclEntry, ALL_PRIVS, aclPrivs, ROLES } from "./acl.ts";

/** Who is calling: a user, or a user's API token. */
export interface Identity {
  userid: string;
  tokenid?: string;
  /** `user@realm` or `user@realm!token`, as tasks record it. */
  authid: string;
  viaTicket: boolean;
}

/** An API token; `privsep` tokens only get what ACLs grant the token itself. */
export interface TokenInfo {
  authid: string;
  secret: string;
  privsep: boolean;
  revoked?: boolean;
}

const TICKET_LIFETIME_S = 2 * 3600;

function authFailure(text: string, status = 401): PveError {
  return new PveError(status, text, undefined, true);
}

/** Users, tokens, tickets and ACLs of the simulated cluster. */
export class AuthStore {
  readonly tokens = new Map<string, TokenInfo>();
  readonly passwords = new Map<string, string>();
  /** Users known to the cluster (user.cfg), with or without a password. */
  readonly users = new Set<string>(["root@pam"]);
  /** Roles by name: the built-in ones (which cannot be changed) and any added with pveum. */
  readonly roles = new Map<string, readonly string[]>(Object.entries(ROLES));
  acl: AclEntry[] = [];
  private readonly key = randomBytes(32);

  constructor(rootPassword: string) {
    this.passwords.set("root@pam", rootPassword);
  }

  /** Adds a token and returns it (secret UUID-shaped, as PVE and the proxmox-api client expect). */
  addToken(authid: string, privsep: boolean, secret: string = randomUUID()): TokenInfo {
    const t = { authid, secret, privsep };
    this.tokens.set(authid, t);
    return t;
  }

  private sign(text: string): string {
    return createHmac("sha256", this.key).update(text).digest("base64").replace(/=+$/, "");
  }

  /** Checks a password and returns a ticket and CSRF token, like POST /access/ticket. */
  login(
    username: string,
    password: string,
    realm?: string,
  ): { ticket: string; csrf: string; userid: string } {
    const userid = realm && !username.includes("@") ? `${username}@${realm}` : username;
    const known = this.passwords.get(userid);
    if (known === undefined || known !== password) throw new PveError(401, "authentication failure\n");
    const time = Math.floor(Date.now() / 1000)
      .toString(16)
      .toUpperCase()
      .padStart(8, "0");
    const plain = `PVE:${userid}:${time}`;
    return { ticket: `${plain}::${this.sign(plain)}`, csrf: this.csrfToken(userid, time), userid };
  }

  private csrfToken(userid: string, time: string): string {
    return `${time}:${this.sign(`${time}:${userid}`)}`;
  }

  private verifyTicket(ticket: string): string {
    const m = /^(PVE:([^:]+):([0-9A-F]{8}))::(.+)$/.exec(ticket);
    const bad = authFailure("permission denied - invalid PVE ticket");
    if (!m) throw bad;
    const expected = Buffer.from(this.sign(m[1]!));
    const got = Buffer.from(m[4]!);
    if (expected.length !== got.length || !timingSafeEqual(expected, got)) throw bad;
    const age = Date.now() / 1000 - Number.parseInt(m[3]!, 16);
    if (age > TICKET_LIFETIME_S || !this.passwords.has(m[2]!)) throw bad;
    return m[2]!;
  }

  /**
   * Authenticates a request the way PVE's auth_handler does: a PVEAuthCookie ticket (cookie,
   * then Authorization header), else a PVEAPIToken; CSRF only for tickets on non-GET.
   */
  authenticate(method: string, headers: Record<string, string | string[] | undefined>): Identity {
    const cookie = String(headers.cookie ?? "");
    const authz = String(headers.authorization ?? "");
    const ticket =
      /(?:^|[;\s])PVEAuthCookie=([^;]*)/.exec(cookie)?.[1] ?? /PVEAuthCookie=([^;\s]*)/.exec(authz)?.[1];
    if (ticket) {
      const userid = this.verifyTicket(decodeURIComponent(ticket));
      if (method !== "GET") {
        const csrf = String(headers.csrfpreventiontoken ?? "");
        const time = csrf.split(":")[0] ?? "";
        if (csrf !== this.csrfToken(userid, time))
          throw authFailure("Permission denied - invalid csrf token");
      }
      return { userid, authid: userid, viaTicket: true };
    }
    const tokenHeader = /PVEAPIToken=(\S+)/.exec(authz)?.[1];
    if (!tokenHeader) throw authFailure("No ticket");
    // PVE splits at the last '=' (the token id itself may not contain one, the secret may not either).
    const eq = tokenHeader.lastIndexOf("=");
    const authid = eq > 0 ? tokenHeader.slice(0, eq) : "";
    const secret = eq > 0 ? tokenHeader.slice(eq + 1) : "";
    const m = /^([^\s:/]+@[A-Za-z][A-Za-z0-9.\-_]+)!([A-Za-z][A-Za-z0-9.\-_]+)$/.exec(authid);
    const token = this.tokens.get(authid);
    if (!m || !token || token.revoked || token.secret !== secret) throw authFailure("Authentication failed!");
    return { userid: m[1]!, tokenid: m[2]!, authid, viaTicket: false };
  }

  /** The privileges an identity holds on a path (root@pam holds all; privsep tokens are intersected). */
  privileges(id: Identity, path: string): Set<string> {
    const userPrivs =
      id.userid === "root@pam" ? new Set(ALL_PRIVS) : aclPrivs(this.acl, id.userid, path, this.roles);
    if (!id.tokenid) return userPrivs;
    const token = this.tokens.get(id.authid);
    if (!token?.privsep) return userPrivs;
    const tokenPrivs = aclPrivs(this.acl, id.authid, path, this.roles);
    return new Set([...tokenPrivs].filter((p) => userPrivs.has(p)));
  }

  /** Whether the identity has a privilege on a path. */
  can(id: Identity, path: string, priv: string): boolean {
    return this.privileges(id, path).has(priv);
  }

  /** Throws the real 403 unless the identity holds every listed privilege (or any, if `any`). */
  check(id: Identity, path: string, privs: string[], any = false): void {
    const have = this.privileges(id, path);
    if (any) {
      if (!privs.some((p) => have.has(p)))
        throw new PveError(403, `Permission check failed (${path}, ${privs.join("|")})\n`);
      return;
    }
    for (const p of privs)
      if (!have.has(p)) throw new PveError(403, `Permission check failed (${path}, ${p})\n`);
  }
}
