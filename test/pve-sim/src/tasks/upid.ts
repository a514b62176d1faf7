/** The fields of a UPID. */
export interface Upid {
  node: string;
  pid: number;
  pstart: number;
  starttime: number;
  type: string;
  id: string;
  user: string;
}

const hex = (n: number): string => n.toString(16).toUpperCase().padStart(8, "0");

/** Formats `UPID:{node}:{pid}:{pstart}:{starttime}:{type}:{id}:{user}:` (hex fields, trailing colon). */
export function formatUpid(u: Upid): string {
  return `UPID:${u.node}:${hex(u.pid)}:${hex(u.pstart)}:${hex(u.starttime)}:${u.type}:${u.id}:${u.user}:`;
}

/** Parses a UPID like PVE::Tools::upid_decode, or undefined if it is not one. */
export function parseUpid(text: string): Upid | undefined {
  const m =
    /^UPID:([a-zA-Z0-9]([a-zA-Z0-9-]*[a-zA-Z0-9])?):([0-9A-Fa-f]{8}):([0-9A-Fa-f]{8,9}):([0-9A-Fa-f]{8}):([^:\s]+):([^:\s]*):([^:\s]+):$/.exec(
      text,
    );
  if (!m) return undefined;
  return {
    node: m[1]!,
    pid: Number.parseInt(m[3]!, 16),
    pstart: Number.parseInt(m[4]!, 16),
    starttime: Number.parseInt(m[5]!, 16),
    type: m[6]!,
    id: m[7]!,
    user: m[8]!,
  };
}
