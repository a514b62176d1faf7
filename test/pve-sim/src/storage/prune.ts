import type { Volume } from "./storage.ts";

/** A backup with its prune mark, as GET …/prunebackups lists it. */
export interface PruneEntry {
  volid: string;
  ctime: number;
  mark: "keep" | "remove" | "protected" | "renamed";
  type: string;
  vmid?: number;
}

const PERIODS: [string, (d: Date) => string][] = [
  ["keep-hourly", (d) => `${d.getFullYear()}/${d.getMonth()}/${d.getDate()}/${d.getHours()}`],
  ["keep-daily", (d) => `${d.getFullYear()}/${d.getMonth()}/${d.getDate()}`],
  [
    "keep-weekly",
    (d) => {
      const t = new Date(d);
      t.setDate(t.getDate() - ((t.getDay() + 6) % 7));
      return `${t.getFullYear()}/${t.getMonth()}/${t.getDate()}`;
    },
  ],
  ["keep-monthly", (d) => `${d.getFullYear()}/${d.getMonth()}`],
  ["keep-yearly", (d) => `${d.getFullYear()}`],
];

/**
 * Marks backups like PVE::Storage::prune_mark_backup_group: per guest, newest first,
 * keep-last then each period keeps the newest backup of N distinct periods.
 */
export function pruneMark(backups: Volume[], opts: Record<string, string>): PruneEntry[] {
  const groups = new Map<string, Volume[]>();
  for (const b of backups) {
    const key = `${b.subtype}/${b.vmid}`;
    groups.set(key, [...(groups.get(key) ?? []), b]);
  }
  const out: PruneEntry[] = [];
  const keepAll = opts["keep-all"] === "1" || Object.keys(opts).length === 0;
  for (const list of groups.values()) {
    list.sort((a, b) => b.ctime - a.ctime);
    const mark = new Map<string, PruneEntry["mark"]>();
    for (const b of list) if (b.protected) mark.set(b.volid, "protected");
    if (keepAll) for (const b of list) if (!mark.has(b.volid)) mark.set(b.volid, "keep");
    const last = Number(opts["keep-last"] ?? 0);
    let kept = 0;
    for (const b of list) {
      if (kept >= last) break;
      if (mark.has(b.volid)) continue;
      mark.set(b.volid, "keep");
      kept++;
    }
    for (const [key, periodOf] of PERIODS) {
      const n = Number(opts[key] ?? 0);
      if (!n) continue;
      // Periods already holding a kept backup do not count towards this option's N.
      const already = new Set<string>();
      for (const b of list) if (mark.get(b.volid) === "keep") already.add(periodOf(new Date(b.ctime * 1000)));
      const newly = new Set<string>();
      for (const b of list) {
        const p = periodOf(new Date(b.ctime * 1000));
        if (mark.has(b.volid) || already.has(p)) continue;
        if (!newly.has(p)) {
          if (newly.size >= n) break;
          newly.add(p);
          mark.set(b.volid, "keep");
        } else mark.set(b.volid, "remove");
      }
    }
    for (const b of list) {
      out.push({
        volid: b.volid,
        ctime: b.ctime,
        mark: mark.get(b.volid) ?? "remove",
        type: b.subtype ?? "lxc",
        vmid: b.vmid,
      });
    }
  }
  return out;
}
