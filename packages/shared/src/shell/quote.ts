/**
 * The one audited way to pass arguments through a POSIX shell (`pct exec … -- sh -c`, SSH exec).
 *
 * Strategy: wrap every argument in single quotes. Inside single quotes a POSIX shell gives
 * every byte its literal meaning except `'` itself (XCU 2.2.2), so `'` is written as `'\''`:
 * close the quote, an escaped quote, reopen. Nothing else needs escaping — not `$`, backticks,
 * `\`, newlines, globs or leading dashes (a leading dash is the called program's business:
 * put `--` before operands where the program supports it).
 * https://pubs.opengroup.org/onlinepubs/9799919799/utilities/V3_chap02.html#tag_19_02_02
 *
 * NUL cannot be represented in a C string, so no shell can receive it; it is refused rather
 * than silently truncating the argument.
 */

/** Thrown for arguments no shell can carry. */
export class ShellQuoteError extends Error {
  override readonly name = "ShellQuoteError";
}

const SAFE = /^[A-Za-z0-9_@%+=:,./-]+$/;

/** Quotes one argument so a POSIX shell reads it back as exactly this string. */
export function shellQuote(arg: string): string {
  if (typeof arg !== "string")
    throw new ShellQuoteError(`shell argument must be a string, got ${typeof arg}`);
  if (arg.includes("\0"))
    throw new ShellQuoteError("shell argument contains a NUL byte, which no shell can carry");
  // Words made only of characters with no meaning to the shell read better unquoted.
  if (SAFE.test(arg)) return arg;
  return `'${arg.replaceAll("'", `'\\''`)}'`;
}

/** Quotes each argument and joins them with spaces: a command line for `sh -c`. */
export function shellJoin(argv: readonly string[]): string {
  return argv.map(shellQuote).join(" ");
}
