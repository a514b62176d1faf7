/** A range of static IPv4 addresses for VMs, given to them by cloud-init (`ipconfig0`). */
export interface StaticRange {
  first: number;
  last: number;
  prefix: number;
  gateway: string;
}

const toInt = (ip: string) => ip.split(".").reduce((n, o) => n * 256 + Number(o), 0);
/** The dotted form of an IPv4 address held as a number. */
export const toIp = (n: number) => [24, 16, 8, 0].map((s) => (n >>> s) & 255).join(".");
const IPV4 = /^(25[0-5]|2[0-4]\d|1?\d?\d)(\.(25[0-5]|2[0-4]\d|1?\d?\d)){3}$/;

/** Parses `10.0.0.100-10.0.0.199/24,gw=10.0.0.1`; throws a message naming what is wrong. */
export function parseStaticRange(text: string): StaticRange {
  const m = /^([\d.]+)-([\d.]+)\/(\d{1,2}),gw=([\d.]+)$/.exec(text.trim());
  if (!m || ![m[1], m[2], m[4]].every((ip) => IPV4.test(ip ?? "")))
    throw new Error(`"${text}" is not like 10.0.0.100-10.0.0.199/24,gw=10.0.0.1`);
  const range = { first: toInt(m[1]!), last: toInt(m[2]!), prefix: Number(m[3]), gateway: m[4]! };
  if (range.first > range.last || range.prefix < 8 || range.prefix > 30)
    throw new Error(`"${text}": the range is empty or the prefix is not 8–30`);
  return range;
}
