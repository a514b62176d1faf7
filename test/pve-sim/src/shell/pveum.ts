import { knownPrivileges } from "../auth/pve9.ts";
import type { World } from "../world.ts";
import type { HostIo } from "./host-io.ts";
import { HostCommandError, parseOptions } from "./host-io.ts";

// `pveum` as the installer uses it: users, roles, ACLs and API tokens of the simulated
// cluster, with pveum's own texts (pve-access-control PVE/API2/*.pm) and exit code 255 on
// errors. Privilege names follow the simulated version: PVE 9.0 dropped VM.Monitor and
// added the VM.GuestAgent.* privileges, and pveum refuses names it does not know.

function privList(world: World, text: string | undefined): string[] {
  const known = new Set(knownPrivileges(world.pveVersion));
  const privs = (text ?? "").split(/[,;\s]+/).filter(Boolean);
  for (const p of privs) if (!known.has(p)) throw new HostCommandError(`invalid privilege '${p}'`);
  return privs;
}

function userid(text: string | undefined): string {
  if (!text || !/^[^\s:/]+@[A-Za-z][A-Za-z0-9.\-_]+$/.test(text))
    throw new HostCommandError(
      `400 Parameter verification failed.\nuserid: value does not match the regex pattern`,
    );
  return text;
}

function printJson(io: HostIo, value: unknown): void {
  io.stdout.write(`${JSON.stringify(value)}\n`);
}

function user(world: World, args: string[], io: HostIo): number {
  const [cmd, ...rest] = args;
  const { positional, options } = parseOptions(rest);
  const auth = world.auth;
  switch (cmd) {
    case "list": {
      const users = [...auth.users].sort().map((u) => ({ userid: u, enable: 1, expire: 0 }));
      if (options["output-format"]?.startsWith("json")) printJson(io, users);
      else for (const u of users) io.stdout.write(`${u.userid}\n`);
      return 0;
    }
    case "add": {
      const id = userid(positional[0]);
      if (auth.users.has(id)) throw new HostCommandError(`create user failed: user '${id}' already exists`);
      auth.users.add(id);
      return 0;
    }
    case "delete": {
      const id = userid(positional[0]);
      if (!auth.users.has(id)) throw new HostCommandError(`delete user failed: no such user ('${id}')`);
      auth.users.delete(id);
      auth.passwords.delete(id);
      // Deleting a user removes its tokens and every ACL entry of either.
      for (const t of [...auth.tokens.keys()]) if (t.startsWith(`${id}!`)) auth.tokens.delete(t);
      auth.acl = auth.acl.filter((e) => e.principal !== id && !e.principal.startsWith(`${id}!`));
      return 0;
    }
    case "token":
      return token(world, rest, io);
    default:
      throw new HostCommandError(`unknown command 'pveum user ${cmd ?? ""}'`);
  }
}

function token(world: World, args: string[], io: HostIo): number {
  const [cmd, ...rest] = args;
  const { positional, options } = parseOptions(rest);
  const id = userid(positional[0]);
  const name = positional[1];
  if (!name || !/^[A-Za-z][A-Za-z0-9.\-_]+$/.test(name))
    throw new HostCommandError(
      "400 Parameter verification failed.\ntokenid: value does not match the regex pattern",
    );
  const full = `${id}!${name}`;
  const auth = world.auth;
  if (cmd === "add") {
    if (!auth.users.has(id)) throw new HostCommandError(`no such user ('${id}')`);
    if (auth.tokens.has(full)) throw new HostCommandError(`Token already exists.`);
    const privsep = options.privsep === undefined ? true : options.privsep === "1";
    const t = auth.addToken(full, privsep);
    const answer = { "full-tokenid": full, info: { privsep: privsep ? "1" : "0" }, value: t.secret };
    if (options["output-format"]?.startsWith("json")) printJson(io, answer);
    else io.stdout.write(`full-tokenid: ${full}\nvalue: ${t.secret}\n`);
    return 0;
  }
  if (cmd === "remove") {
    if (!auth.tokens.has(full)) throw new HostCommandError(`no such token '${name}' for user '${id}'`);
    auth.tokens.delete(full);
    auth.acl = auth.acl.filter((e) => e.principal !== full);
    return 0;
  }
  throw new HostCommandError(`unknown command 'pveum user token ${cmd ?? ""}'`);
}

function role(world: World, args: string[], io: HostIo): number {
  const [cmd, ...rest] = args;
  const { positional, options } = parseOptions(rest);
  const name = positional[0];
  const roles = world.auth.roles;
  if (cmd === "list") {
    const list = [...roles].map(([roleid, privs]) => ({ roleid, privs: privs.join(",") }));
    if (options["output-format"]?.startsWith("json")) printJson(io, list);
    else for (const r of list) io.stdout.write(`${r.roleid} ${r.privs}\n`);
    return 0;
  }
  if (!name) throw new HostCommandError("400 not enough arguments\npveum role <command> <roleid> [OPTIONS]");
  const builtin = new Set(["Administrator", "NoAccess", "PVEAuditor", "PVEVMAdmin", "PVEVMUser"]);
  switch (cmd) {
    case "add":
      if (roles.has(name)) throw new HostCommandError(`role '${name}' already exists`);
      roles.set(name, privList(world, options.privs));
      return 0;
    case "modify": {
      if (!roles.has(name)) throw new HostCommandError(`role '${name}' does not exist`);
      if (builtin.has(name)) throw new HostCommandError(`cannot modify predefined role '${name}'`);
      const privs = privList(world, options.privs);
      roles.set(name, options.append === "1" ? [...new Set([...(roles.get(name) ?? []), ...privs])] : privs);
      return 0;
    }
    case "delete":
      if (!roles.has(name)) throw new HostCommandError(`role '${name}' does not exist`);
      if (builtin.has(name)) throw new HostCommandError(`cannot delete predefined role '${name}'`);
      roles.delete(name);
      for (const e of world.auth.acl) if (e.roles) e.roles = e.roles.filter((r) => r !== name);
      return 0;
    default:
      throw new HostCommandError(`unknown command 'pveum role ${cmd ?? ""}'`);
  }
}

function acl(world: World, args: string[]): number {
  const [cmd, ...rest] = args;
  const { positional, options } = parseOptions(rest);
  const path = positional[0];
  if (cmd !== "modify" || !path) throw new HostCommandError(`unknown command 'pveum acl ${cmd ?? ""}'`);
  const roles = (options.roles ?? "").split(",").filter(Boolean);
  for (const r of roles)
    if (!world.auth.roles.has(r)) throw new HostCommandError(`role '${r}' does not exist`);
  const principals = [
    ...(options.users ?? "").split(",").filter(Boolean),
    ...(options.tokens ?? "").split(",").filter(Boolean),
  ];
  const propagate = options.propagate !== "0";
  for (const principal of principals) {
    const existing = world.auth.acl.find((e) => e.path === path && e.principal === principal);
    if (options.delete === "1") {
      if (existing) existing.roles = (existing.roles ?? []).filter((r) => !roles.includes(r));
      continue;
    }
    if (existing) {
      existing.roles = [...new Set([...(existing.roles ?? []), ...roles])];
      existing.propagate = propagate;
    } else world.auth.acl.push({ path, principal, roles, propagate });
  }
  return 0;
}

/** Runs one `pveum` command line against the simulated cluster. */
export function runPveum(world: World, argv: string[], io: HostIo): number {
  const [group, ...rest] = argv;
  switch (group) {
    case "user":
      return user(world, rest, io);
    case "role":
      return role(world, rest, io);
    case "acl":
      return acl(world, rest);
    case "useradd":
      return user(world, ["add", ...rest], io);
    default:
      throw new HostCommandError(`unknown command 'pveum ${group ?? ""}'`);
  }
}
