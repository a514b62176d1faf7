import type { StepFacts } from "@pylon/shared/protocol/index";
import { z } from "zod";
import { type JobContext, JobError, wasCancelled } from "../../jobs/types.ts";
import { PveError } from "../../proxmox/errors.ts";
import { TaskFailedError } from "../../proxmox/tasks.ts";
import { errorMessage } from "../../util/errors.ts";

/** One idempotent pipeline step and its compensating undo (which must be safe if run did nothing). */
export interface Step<R> {
  name: string;
  run(run: R): Promise<string | undefined>;
  undo?(run: R): Promise<void>;
}

/** What a pipeline records after each step: its state and the steps done. */
interface Record<S> {
  state: S;
  done: string[];
}

/** A step failure whose message is already the underlying error's own text. */
export class StepFailure extends Error {
  override name = "StepFailure";
}

/** The text of an error as the user should read it: Proxmox's, the command's, or the message. */
export function failureText(err: unknown): string {
  if (err instanceof PveError || err instanceof TaskFailedError || err instanceof StepFailure)
    return err.message;
  return errorMessage(err);
}

/** The checkpointed record of a pipeline, if an earlier run of this job left a valid one. */
export function recorded<S>(ctx: JobContext, key: string, state: z.ZodType<S>): Record<S> | undefined {
  const parsed = z.object({ state, done: z.array(z.string()) }).safeParse(ctx.checkpoints.get(key));
  return parsed.success ? { state: parsed.data.state, done: parsed.data.done } : undefined;
}

/**
 * Runs steps in order, each announced with `step` events and checkpointed with the pipeline's
 * state, so a restarted agent skips what is done and redoes the step it was in. On failure the
 * failed step and every done step are undone in reverse (`undone` events), then the job fails
 * naming the step and carrying the underlying error text. A job a user cancelled is undone the
 * same way (under a signal only a shutdown fires) and ends saying so; a job stopped by an agent
 * shutdown is not undone: it resumes after the restart. `facts` reads what the run has learnt
 * (its guest id, its address); a step that changed them sends them with its `succeeded` event.
 */
export async function runSteps<R extends { state: S; ctx: JobContext }, S>(
  ctx: JobContext,
  key: string,
  steps: readonly Step<R>[],
  run: R,
  done: string[] = [],
  onFailure?: (failed: string, message: string, undoErrors: string[]) => Promise<string | undefined>,
  facts?: (run: R) => StepFacts,
): Promise<void> {
  const save = () => ctx.checkpoint(key, { state: run.state, done } satisfies Record<S>);
  let sent = JSON.stringify(facts?.(run) ?? {});
  for (const [i, step] of steps.entries()) {
    if (done.includes(step.name)) continue;
    await ctx.step(step.name, "started");
    await ctx.progress(Math.round((i / steps.length) * 100), step.name);
    try {
      if (ctx.signal.aborted) throw ctx.signal.reason;
      const note = await step.run(run);
      done.push(step.name);
      await save();
      const now = facts?.(run);
      const changed = now !== undefined && JSON.stringify(now) !== sent;
      if (changed) sent = JSON.stringify(now);
      await ctx.step(step.name, "succeeded", note || undefined, changed ? now : undefined);
    } catch (err) {
      const cancelled = wasCancelled(ctx.signal);
      const message = cancelled ? "cancelled" : failureText(err);
      await ctx.step(step.name, "failed", message);
      if (ctx.signal.aborted && !cancelled)
        throw new JobError(`${step.name}: stopped (${message})`, step.name);
      // The steps' own waits use run.ctx.signal, which a cancel has fired: undo under one that
      // only a shutdown fires (the shutdown then leaves the job to resume; the cancel is sent again).
      if (cancelled) run.ctx = { ...run.ctx, signal: ctx.stopping ?? new AbortController().signal };
      const undoErrors = await undoSteps(ctx, steps, run, [...done, step.name], step.name);
      done.length = 0;
      await save();
      const extra = onFailure ? await onFailure(step.name, message, undoErrors) : undefined;
      const tail = undoErrors.length ? `; undo left work behind: ${undoErrors.join("; ")}` : "";
      const what = cancelled
        ? `cancelled during ${step.name}; ${undoErrors.length ? "undone in part" : "what it had done was undone"}`
        : `${step.name} failed: ${message}`;
      throw new JobError(`${what}${extra ? `; ${extra}` : ""}${tail}`, step.name, {
        undone: undoErrors.length === 0,
      });
    }
  }
  await ctx.progress(100);
}

/**
 * Undoes the named steps in reverse order; returns the undo failures (each also logged). Every
 * step done is reported `undone`, also one with nothing of its own to undo (what it did went with
 * the guest or the rollback), so no step still shows done after the job took everything back;
 * the `failed` step stays failed unless it had something to undo.
 */
export async function undoSteps<R>(
  ctx: JobContext,
  steps: readonly Step<R>[],
  run: R,
  names: readonly string[],
  failed?: string,
): Promise<string[]> {
  const errors: string[] = [];
  for (const step of [...steps].reverse()) {
    if (!names.includes(step.name)) continue;
    if (!step.undo) {
      if (step.name !== failed) await ctx.step(step.name, "undone");
      continue;
    }
    try {
      await step.undo(run);
      await ctx.step(step.name, "undone");
    } catch (err) {
      const text = `${step.name}: ${failureText(err)}`;
      errors.push(text);
      await ctx.log("error", `undo of ${text}`);
    }
  }
  return errors;
}
