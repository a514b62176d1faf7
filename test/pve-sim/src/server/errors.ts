/** An error raised by a handler: the HTTP status, the text (reason phrase = first line) and per-field errors. */
export class PveError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly errors?: Record<string, string>,
    // Errors raised while authenticating get no JSON body and the 401 delay (pve-http-server).
    readonly authPhase = false,
  ) {
    super(message);
  }
}

/** A 500 with PVE's trailing newline, as handlers `die "...\n"`. */
export function fail(text: string): PveError {
  return new PveError(500, text.endsWith("\n") ? text : `${text}\n`);
}

/** A 400 "Parameter verification failed." with the given field errors. */
export function paramError(errors: Record<string, string>): PveError {
  return new PveError(400, "Parameter verification failed.\n", errors);
}

/** The message of any thrown value, without a trailing newline. */
export function errorText(err: unknown): string {
  const text = err instanceof Error ? err.message : String(err);
  return text.replace(/\n+$/, "");
}
