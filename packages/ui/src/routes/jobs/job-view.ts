// What a job page shows, built from the job's events as they arrive: steps with their latest
// state, the latest progress, log lines, and the result.
import type { JobEvent } from "@pylon/shared";
import { batch, createSignal } from "solid-js";

type Ev = JobEvent["event"];
export type StepStatus = Extract<Ev, { kind: "step" }>["status"];
export type ResultEvent = Extract<Ev, { kind: "result" }>;

export interface StepView {
  step: string;
  status: StepStatus;
  message?: string;
  /** A failed step whose work was then undone: it still shows as the one that failed. */
  undone?: boolean;
}

export interface LogLine {
  seq: number;
  at: string;
  level: "info" | "warn" | "error";
  message: string;
}

/** Signals for a job's steps, progress, log and result, and `apply` to feed events in seq order. */
export function createJobView() {
  const [steps, setSteps] = createSignal<StepView[]>([]);
  const [progress, setProgress] = createSignal<{ percent: number; message?: string } | null>(null);
  const [logs, setLogs] = createSignal<LogLine[]>([]);
  const [result, setResult] = createSignal<ResultEvent | null>(null);
  let lastSeq = 0;

  const applyOne = (e: JobEvent) => {
    if (e.seq <= lastSeq) return; // seen already (a replay after a reconnect)
    lastSeq = e.seq;
    const ev = e.event;
    switch (ev.kind) {
      case "log":
        setLogs((l) => [...l, { seq: e.seq, at: e.at, level: ev.level, message: ev.message }]);
        break;
      case "progress":
        setProgress({ percent: ev.percent, message: ev.message });
        break;
      case "step":
        setSteps((list) => {
          const i = list.findIndex((s) => s.step === ev.step);
          const prev = list[i];
          // Undoing a failed step keeps it failed (with its error), marked undone.
          const next: StepView =
            prev?.status === "failed" && ev.status === "undone"
              ? { ...prev, undone: true }
              : { step: ev.step, status: ev.status, message: ev.message ?? prev?.message };
          return i < 0 ? [...list, next] : list.map((s, j) => (j === i ? next : s));
        });
        break;
      case "result":
        setResult(ev);
        if (ev.status === "succeeded") setProgress((p) => ({ percent: 100, message: p?.message }));
        break;
    }
  };

  return {
    steps,
    progress,
    logs,
    result,
    /** Feeds events in; any seen already are ignored. */
    apply: (events: JobEvent[]) => batch(() => events.forEach(applyOne)),
    /** The step the job failed in, if the result names one (or the last step marked failed). */
    failedStep: () => result()?.error?.step ?? steps().findLast((s) => s.status === "failed")?.step ?? null,
  };
}

export type JobView = ReturnType<typeof createJobView>;
