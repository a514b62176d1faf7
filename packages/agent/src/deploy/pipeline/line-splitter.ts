/** A line longer than this is cut. */
export const MAX_LINE_CHARS = 4000;

/**
 * Splits output chunks of two streams into complete lines (a partial line waits for its end;
 * UTF-8 split across chunks is decoded whole). With `carriageReturns`, a lone `\r` ends a line
 * too (progress output). `cut` says a line was longer than MAX_LINE_CHARS and was cut.
 */
export class LineSplitter {
  readonly #partial = { stdout: "", stderr: "" };
  readonly #decoders = { stdout: new TextDecoder(), stderr: new TextDecoder() };
  readonly #breaks: RegExp;

  constructor(
    private readonly onLine: (line: string, cut: boolean) => void,
    opts: { carriageReturns?: boolean } = {},
  ) {
    this.#breaks = opts.carriageReturns ? /\r\n|\n|\r/ : /\r?\n/;
  }

  push(stream: "stdout" | "stderr", chunk: Buffer): void {
    const text = this.#partial[stream] + this.#decoders[stream].decode(chunk, { stream: true });
    const parts = text.split(this.#breaks);
    this.#partial[stream] = parts.pop() ?? "";
    for (const line of parts) this.#emit(line);
    // A line that never ends must not grow without bound.
    if (this.#partial[stream].length > MAX_LINE_CHARS) {
      this.#emit(this.#partial[stream]);
      this.#partial[stream] = "";
    }
  }

  /** Passes on what is left of unfinished lines. */
  end(): void {
    for (const stream of ["stdout", "stderr"] as const) {
      const rest = this.#partial[stream] + this.#decoders[stream].decode();
      this.#partial[stream] = "";
      if (rest) this.#emit(rest);
    }
  }

  #emit(line: string): void {
    this.onLine(line.slice(0, MAX_LINE_CHARS), line.length > MAX_LINE_CHARS);
  }
}
