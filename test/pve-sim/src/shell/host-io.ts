import type { Readable, Writable } from "node:stream";

/** Standard streams of one host command, plus files it writes on the caller's side. */
export interface HostIo {
  stdin: Readable;
  stdout: Writable;
  stderr: Writable;
  /**
   * A file the command writes on its host, relative to /etc/pve (`nodes/pve/lxc/101.conf`):
   * the calling `pct` writes it itself when it runs as on a real host (see bin/host-command.cjs).
   */
  writeEtcPve?: (path: string, text: string) => void;
  /** The content of a file the command writes where it runs (`pct pull`'s destination). */
  writeLocal?: (data: Buffer) => void;
}

/** A command's own refusal: printed to stderr, exit code 255 (PVE's CLI tools exit so on die). */
export class HostCommandError extends Error {}

/** Splits `--key value` / `--key=value` options from positional words (PVE CLI style). */
export function parseOptions(args: string[]): { positional: string[]; options: Record<string, string> } {
  const positional: string[] = [];
  const options: Record<string, string> = {};
  for (let i = 0; i < args.length; i++) {
    const a = args[i]!;
    const m = /^--?([a-z][a-z0-9_-]*)(?:=(.*))?$/i.exec(a);
    if (!m) {
      positional.push(a);
      continue;
    }
    if (m[2] !== undefined) options[m[1]!] = m[2];
    else {
      const v = args[i + 1];
      if (v === undefined) throw new HostCommandError(`400 unable to parse option\nmissing value for '${a}'`);
      options[m[1]!] = v;
      i++;
    }
  }
  return { positional, options };
}
