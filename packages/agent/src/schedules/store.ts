import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { nodeScheduleSchema } from "@pylon/shared/protocol/index";
import { z } from "zod";
import { errnoCode } from "../util/errors.ts";
import { writeFileAtomic } from "../util/files.ts";

/**
 * What the agent keeps of its schedules, in its state directory beside the job journal: the
 * schedules the control plane last pushed (with when each was first received), and per schedule
 * the last scheduled time it ran or recorded as missed. Read at start, so schedules run on after
 * a restart without the control plane, and the runs missed while the agent was down are known.
 */
export const scheduleStateSchema = z.object({
  schedules: z.array(nodeScheduleSchema),
  /** When each schedule was first received (ms): missed runs are counted from here at most. */
  since: z.record(z.string(), z.number()),
  /** The last scheduled time (ms) each schedule ran or was recorded missed. */
  last: z.record(z.string(), z.number()),
});
export type ScheduleState = z.infer<typeof scheduleStateSchema>;

const EMPTY: ScheduleState = { schedules: [], since: {}, last: {} };

/** Reads the state file (an absent or unreadable one is empty; the control plane pushes again). */
export async function readScheduleState(dir: string): Promise<{ state: ScheduleState; problem?: string }> {
  try {
    const parsed = scheduleStateSchema.safeParse(
      JSON.parse(await readFile(join(dir, "schedules.json"), "utf8")),
    );
    if (parsed.success) return { state: parsed.data };
    return {
      state: structuredClone(EMPTY),
      problem: "schedules.json is not readable; waiting for the control plane",
    };
  } catch (err) {
    if (errnoCode(err) === "ENOENT") return { state: structuredClone(EMPTY) };
    return { state: structuredClone(EMPTY), problem: `schedules.json: ${String(err)}` };
  }
}

/** Writes the state file atomically (a crash leaves the old content or the new). */
export function writeScheduleState(dir: string, state: ScheduleState): Promise<void> {
  return writeFileAtomic(join(dir, "schedules.json"), JSON.stringify(state));
}
