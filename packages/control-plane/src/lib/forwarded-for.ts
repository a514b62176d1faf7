// The client address behind reverse proxies, from X-Forwarded-For.
//
// Each proxy appends the address it received the request from, so the right end is what your
// own proxies wrote and everything left of that came from the client, who can write anything.
// With `hops` proxies of yours in front, the client is the `hops`-th entry from the right
// (Express's `trust proxy` hop count works the same way).

const IPV4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;
const IPV6 = /^[0-9a-f:.]+$/i;

/** The address in one X-Forwarded-For entry (a port or IPv6 brackets removed), or null if it is none. */
export function addressOf(entry: string): string | null {
  let a = entry.trim();
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(a);
  if (bracketed?.[1]) a = bracketed[1];
  else if (/^[\d.]+:\d+$/.test(a)) a = a.slice(0, a.lastIndexOf(":"));
  const v4 = IPV4.exec(a);
  if (v4) return v4.slice(1).every((n) => Number(n) <= 255) ? a : null;
  return IPV6.test(a) && a.includes(":") && a.length <= 45 ? a.toLowerCase() : null;
}

/**
 * The client's address as the outermost of `hops` trusted proxies saw it: the `hops`-th entry
 * from the right of X-Forwarded-For (the leftmost when there are fewer entries). Null when
 * there is no header, `hops` is 0, or that entry is not an IP address.
 */
export function forwardedClient(header: string | undefined | null, hops: number): string | null {
  if (!header || hops < 1) return null;
  const entries = header
    .split(",")
    .map((e) => e.trim())
    .filter(Boolean);
  if (entries.length === 0) return null;
  const entry = entries[Math.max(0, entries.length - hops)];
  return entry === undefined ? null : addressOf(entry);
}
