/** Structured logger: one JSON object per line. Fields named like secrets are redacted. */
export interface Logger {
  info(msg: string, fields?: Record<string, unknown>): void;
  warn(msg: string, fields?: Record<string, unknown>): void;
  error(msg: string, fields?: Record<string, unknown>): void;
}

const SECRET_KEY = /pass(word)?|secret|token|cookie|authorization|credential|key$/i;

/** Replaces the values of secret-looking fields, recursively. */
export function redact(value: unknown, depth = 0): unknown {
  if (depth > 5 || value === null || typeof value !== "object") return value;
  if (Array.isArray(value)) return value.map((v) => redact(v, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value))
    out[k] = SECRET_KEY.test(k) ? "[redacted]" : redact(v, depth + 1);
  return out;
}

/** A logger writing JSON lines through `write` (stdout on Node, console on Workers). */
export function jsonLogger(write: (line: string) => void, base: Record<string, unknown> = {}): Logger {
  const log = (level: string, msg: string, fields?: Record<string, unknown>) =>
    write(
      JSON.stringify({ time: new Date().toISOString(), level, msg, ...base, ...(redact(fields) as object) }),
    );
  return {
    info: (msg, f) => log("info", msg, f),
    warn: (msg, f) => log("warn", msg, f),
    error: (msg, f) => log("error", msg, f),
  };
}

/** A logger that drops everything (tests). */
export const silentLogger: Logger = { info() {}, warn() {}, error() {} };
