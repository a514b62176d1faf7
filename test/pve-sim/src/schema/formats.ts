import { isIPv4, isIPv6 } from "node:net";
import type { PropSchema } from "./load.ts";

// Validators for the named formats the simulator's endpoints accept, with the texts of
// pve-common's JSONSchema.pm (and pve-storage / qemu-server / pve-container where they
// register the format). A validator throws an Error whose message ends in "\n", as
// Perl's `die "...\n"` does: PVE keeps that newline in the 400 field text.

type Validator = (value: string) => void;

const CONFIGID_RE = /^[a-z][a-z0-9_-]+$/i;
const TAG_RE = /^[a-z0-9_][a-z0-9_\-+.]*$/i;
const NAME_RE = "([a-zA-Z0-9]([a-zA-Z0-9-]*[a-zA-Z0-9])?)";

function die(text: string): never {
  throw new Error(`${text}\n`);
}

function cidr(value: string, v6: boolean): boolean {
  const m = /^(.+)\/(\d+)$/.exec(value);
  if (!m) return false;
  const bits = Number(m[2]);
  return (v6 ? isIPv6(m[1]!) : isIPv4(m[1]!)) && bits > 7 && bits <= (v6 ? 128 : 32);
}

/** Parses a PVE size ("8", "8G", "512M") into bytes, or undefined. */
export function parseSize(value: string): number | undefined {
  const m = /^(\d+(?:\.\d+)?)([KMGT])?$/.exec(value);
  if (!m) return undefined;
  const unit = { K: 2 ** 10, M: 2 ** 20, G: 2 ** 30, T: 2 ** 40 }[m[2] ?? ""] ?? 1;
  return Math.floor(Number(m[1]) * unit);
}

const validators: Record<string, Validator> = {
  string: () => {},
  urlencoded: (v) => {
    if (!/^[-%a-zA-Z0-9_.!~*'()]*$/.test(v)) die(`invalid urlencoded string: ${v}`);
  },
  "pve-configid": (v) => {
    if (!CONFIGID_RE.test(v)) die(`invalid configuration ID '${v}'`);
  },
  "pve-storage-id": (v) => {
    if (!/^[a-z][a-z0-9\-_.]*[a-z0-9]$/i.test(v)) die(`storage ID '${v}' contains illegal characters`);
  },
  "pve-bridge-id": (v) => {
    if (!/^[-_.\w\d]+$/.test(v)) die(`invalid bridge ID '${v}'`);
  },
  "pve-vmid": (v) => {
    if (!/^[1-9][0-9]{2,8}$/.test(v)) die("value does not look like a valid VM ID");
  },
  "pve-node": (v) => {
    if (!/^([a-zA-Z0-9]([a-zA-Z0-9-]*[a-zA-Z0-9])?)$/.test(v))
      die("value does not look like a valid node name");
  },
  "mac-addr": (v) => {
    if (!/^[a-f0-9][02468ace](?::[a-f0-9]{2}){5}$/i.test(v))
      die("value does not look like a valid unicast MAC address");
  },
  ipv4: (v) => {
    if (!isIPv4(v)) die("value does not look like a valid IPv4 address");
  },
  ipv6: (v) => {
    if (!isIPv6(v)) die("value does not look like a valid IPv6 address");
  },
  ip: (v) => {
    if (!isIPv4(v) && !isIPv6(v)) die("value does not look like a valid IP address");
  },
  CIDRv4: (v) => {
    if (!cidr(v, false)) die("value does not look like a valid IPv4 CIDR network");
  },
  CIDRv6: (v) => {
    if (!cidr(v, true)) die("value does not look like a valid IPv6 CIDR network");
  },
  CIDR: (v) => {
    if (!cidr(v, false) && !cidr(v, true)) die("value does not look like a valid CIDR network");
  },
  "pve-ipv4-config": (v) => {
    if (!/^(?:dhcp|manual)$/.test(v) && !cidr(v, false))
      die("value does not look like a valid ipv4 network configuration");
  },
  "pve-ipv6-config": (v) => {
    if (!/^(?:auto|dhcp|manual)$/.test(v) && !cidr(v, true))
      die("value does not look like a valid ipv6 network configuration");
  },
  "dns-name": (v) => {
    if (!new RegExp(`^(${NAME_RE}\\.)*${NAME_RE}$`).test(v)) die("value does not look like a valid DNS name");
  },
  address: (v) => {
    if (!isIPv4(v) && !isIPv6(v) && !new RegExp(`^(${NAME_RE}\\.)*${NAME_RE}$`).test(v))
      die(`value does not look like a valid address: ${v}`);
  },
  "disk-size": (v) => {
    if (parseSize(v) === undefined) die(`value does not look like a valid disk size: ${v}`);
  },
  "pve-tag": (v) => {
    if (!TAG_RE.test(v)) die("invalid characters in tag");
  },
  "pve-poolid": (v) => {
    if (!/^[A-Za-z0-9.\-_]+$/.test(v)) die(`invalid pool ID '${v}'`);
  },
  "pve-volume-id": (v) => {
    if (!/^([a-z][a-z0-9\-_.]*[a-z0-9]):(.+)$/i.test(v)) die(`unable to parse volume ID '${v}'`);
  },
  "pve-startup-order": (v) => {
    for (const p of v.split(",")) {
      if (/^\s*$/.test(p)) continue;
      if (!/^(order=)?\d+$/.test(p) && !/^(up|down)=\d+$/.test(p)) die("unable to parse startup options");
    }
  },
  "pve-storage-content": (v) => {
    if (!/^(images|rootdir|vztmpl|iso|backup|snippets|import|none)$/.test(v))
      die(`invalid content type '${v}'`);
  },
  "pve-task-status-type": (v) => {
    if (!/^(ok|error|warning|unknown)$/i.test(v)) die(`invalid status '${v}'`);
  },
  "lxc-ip-with-ll-iface": (v) => {
    const [ip, iface] = v.split("%");
    if (!ip || (!isIPv4(ip) && !isIPv6(ip)) || (iface !== undefined && !/^[a-z][a-z0-9_]*$/i.test(iface)))
      die("value does not look like a valid IP address");
  },
};
validators["pve-tag-list"] = (v) => {
  for (const t of v.split(/[;, ]+/).filter(Boolean)) validators["pve-tag"]!(t);
};
validators["pve-volume-id-or-qm-path"] = (v) => {
  if (v === "none" || v === "cdrom" || v.startsWith("/")) return;
  validators["pve-volume-id"]!(v);
};
validators["pve-volume-id-or-absolute-path"] = validators["pve-volume-id-or-qm-path"];

const keep = (description: string): PropSchema => ({ type: "integer", minimum: 1, optional: 1, description });

/** Named formats that are property strings (hash formats), with their sub-keys. */
export const hashFormats: Record<string, Record<string, PropSchema>> = {
  "prune-backups": {
    "keep-all": { type: "boolean", optional: 1 },
    "keep-last": keep("last"),
    "keep-hourly": keep("hourly"),
    "keep-daily": keep("daily"),
    "keep-weekly": keep("weekly"),
    "keep-monthly": keep("monthly"),
    "keep-yearly": keep("yearly"),
  },
  "pve-qm-ipconfig": {
    ip: { type: "string", format: "pve-ipv4-config", optional: 1 },
    gw: { type: "string", format: "ipv4", optional: 1 },
    ip6: { type: "string", format: "pve-ipv6-config", optional: 1 },
    gw6: { type: "string", format: "ipv6", optional: 1 },
  },
  "pve-qm-boot": {
    order: { type: "string", optional: 1, default_key: 1 },
    legacy: { type: "string", optional: 1, pattern: "[acdn]{1,4}" },
  },
};

/** Splits a `-list` value like PVE::Tools::split_list. */
export function splitList(value: string): string[] {
  return value.split(/[,;\0\s]+/).filter(Boolean);
}

/** The validator for a named format (with `-list` / `-opt` suffixes), or undefined if not modelled. */
export function namedValidator(name: string): Validator | undefined {
  const m = /^(.*?)(?:-(list|opt))?$/.exec(name)!;
  const base = validators[m[1]!] ?? validators[name];
  if (!base) return undefined;
  if (validators[name]) return validators[name];
  if (m[2] === "list") return (v) => splitList(v).forEach(base);
  if (m[2] === "opt") return (v) => (v ? base(v) : undefined);
  return base;
}
