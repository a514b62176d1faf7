import type { SetStoreFunction } from "solid-js/store";
import type { Draft } from "./draft.ts";

/** What every editing step gets: the draft, a setter, and the message for a field path. */
export interface StepProps {
  draft: Draft;
  setDraft: SetStoreFunction<Draft>;
  error: (path: string) => string | undefined;
}
