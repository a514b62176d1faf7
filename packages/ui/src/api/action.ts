import { type Accessor, createSignal } from "solid-js";
import { type ApiError, asApiError } from "./client.ts";

export interface Action<A extends unknown[], R> {
  /** Runs the call; resolves to its result, or undefined when it failed (the error is kept). */
  run: (...args: A) => Promise<R | undefined>;
  pending: Accessor<boolean>;
  error: Accessor<ApiError | null>;
  clear: () => void;
}

/** Wraps a mutation with a pending flag and the last error, so a button can show progress. */
export function createAction<A extends unknown[], R>(fn: (...args: A) => Promise<R>): Action<A, R> {
  const [pending, setPending] = createSignal(false);
  const [error, setError] = createSignal<ApiError | null>(null);
  const run = async (...args: A) => {
    setPending(true);
    setError(null);
    try {
      return await fn(...args);
    } catch (e) {
      setError(asApiError(e));
      return undefined;
    } finally {
      setPending(false);
    }
  };
  return { run, pending, error, clear: () => setError(null) };
}
