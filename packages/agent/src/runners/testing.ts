import { randomUUID } from "node:crypto";
import { existsSync, readFileSync, rmSync } from "node:fs";
import { expect } from "vitest";
import type { CommandRunner } from "./types.ts";

// Shared by the runner tests only: the behaviour every CommandRunner must show, so the three
// implementations are held to exactly the same contract.

/** Strings that would run `touch <marker>` if any layer handed them to a shell unquoted. */
export function injectionCorpus(marker: string): string[] {
  return [
    `$(touch ${marker})`,
    `\`touch ${marker}\``,
    `; touch ${marker}`,
    `x; touch ${marker}; echo`,
    `' ; touch ${marker} ; '`,
    `" ; touch ${marker} ; "`,
    `'"$(touch ${marker})"'`,
    `\ntouch ${marker}\n`,
    `a\n$(touch ${marker})`,
    `| touch ${marker}`,
    `&& touch ${marker}`,
    `> ${marker}`,
    `$((1))$(touch ${marker})`,
    `\\'; touch ${marker}; #`,
    `--; touch ${marker}`,
    `-c touch ${marker}`,
  ];
}

/** A fresh marker path in /tmp (the simulator's guests share the host's /tmp). */
export function markerPath(): string {
  return `/tmp/pylon-injection-${randomUUID()}`;
}

/** Whether a process exists and is not a zombie. */
export function isAlive(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    return stat.slice(stat.lastIndexOf(")") + 2, stat.lastIndexOf(")") + 3) !== "Z";
  } catch {
    return false;
  }
}

/** Waits until a condition holds (or fails the test after timeoutMs). */
export async function eventually(check: () => boolean, timeoutMs = 3000): Promise<void> {
  const end = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > end) throw new Error("condition not reached in time");
    await new Promise((r) => setTimeout(r, 25));
  }
}

/** Runs every corpus entry as an argument, an env value and argv[0]; nothing may execute. */
export async function expectNoInjection(runner: CommandRunner): Promise<void> {
  const marker = markerPath();
  for (const payload of injectionCorpus(marker)) {
    const echoed = await runner.run(["printf", "%s", payload]);
    expect(echoed.stdout).toBe(payload);
    const viaEnv = await runner.run(["sh", "-c", 'printf %s "$PAYLOAD"'], { env: { PAYLOAD: payload } });
    expect(viaEnv.stdout).toBe(payload);
    const asProgram = await runner.run([payload]);
    expect(asProgram.exitCode).not.toBe(0);
  }
  expect(existsSync(marker)).toBe(false);
}

/** A timeout and an abort both kill the command in the guest, not just the transport. */
export async function expectKills(runner: CommandRunner): Promise<void> {
  for (const how of ["timeout", "abort"] as const) {
    const pidFile = `/tmp/pylon-kill-${randomUUID()}`;
    const ac = new AbortController();
    const opts = how === "timeout" ? { timeoutMs: 1500 } : { signal: ac.signal };
    const started = Date.now();
    const run = runner.run(["sh", "-c", 'echo $$ > "$1"; exec sleep 30', "sh", pidFile], opts);
    if (how === "abort") {
      await eventually(() => existsSync(pidFile), 5000);
      ac.abort(new Error("user cancelled"));
    }
    await expect(run).rejects.toThrow(how === "timeout" ? /timed out after 1500 ms/ : /aborted/);
    expect(Date.now() - started).toBeLessThan(15_000);
    const pid = Number(readFileSync(pidFile, "utf8"));
    rmSync(pidFile, { force: true });
    await eventually(() => !isAlive(pid));
  }
  // An already aborted signal runs nothing at all.
  const early = markerPath();
  await expect(
    runner.run(["touch", early], { signal: AbortSignal.abort(new Error("too late")) }),
  ).rejects.toThrow(/aborted before it started/);
  expect(existsSync(early)).toBe(false);
  // A timeout that fires before the command even started must still keep it from running.
  const marker = markerPath();
  await expect(
    runner.run(["sh", "-c", 'sleep 1; touch "$1"', "sh", marker], { timeoutMs: 1 }),
  ).rejects.toThrow(/timed out/);
  await new Promise((r) => setTimeout(r, 1500));
  expect(existsSync(marker)).toBe(false);
}
