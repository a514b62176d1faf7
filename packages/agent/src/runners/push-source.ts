import { readFile } from "node:fs/promises";
import { chunks, modeText, writeArgv } from "./guest-command.ts";
import type { CommandRunner, PushSource, RunOptions } from "./types.ts";
import { RunnerError } from "./types.ts";

/** The bytes of a push source (a file on the agent's host is read whole). */
export async function sourceBytes(source: PushSource): Promise<Buffer> {
  if (typeof source === "string") return Buffer.from(source, "utf8");
  if (Buffer.isBuffer(source)) return source;
  return readFile(source.path);
}

/**
 * Pushes a file through a runner's own `run` with the content on stdin, in parts of at most
 * partBytes (base64-encoded when the transport carries text only); the last part sets the
 * mode and renames the file into place.
 */
export async function pushThroughRun(
  run: CommandRunner["run"],
  source: PushSource,
  guestPath: string,
  mode: number | undefined,
  how: { partBytes: number; base64: boolean; timeoutMs?: number },
): Promise<void> {
  const data = await sourceBytes(source);
  const octal = modeText(mode);
  const parts = [...chunks(data, how.partBytes)];
  for (const [i, part] of parts.entries()) {
    const last = i === parts.length - 1;
    const opts: RunOptions = {
      input: how.base64 ? part.toString("base64") : part,
      timeoutMs: how.timeoutMs,
    };
    const r = await run(writeArgv(guestPath, last ? octal : "", i > 0, how.base64), opts);
    if (r.exitCode !== 0)
      throw new RunnerError(`writing ${guestPath} failed: ${r.stderr.trim() || `exit ${r.exitCode}`}`);
  }
}
