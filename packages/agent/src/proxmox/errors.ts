/** What came back for a failed call. */
export interface Exchange {
  status: number;
  statusText: string;
  body: string;
}

/**
 * A failed Proxmox call whose message is Proxmox's own text: `body.message` on PVE 8.3+,
 * the HTTP reason phrase (the first line of the same text) before that (PVE-API.md §1).
 */
export class PveError extends Error {
  override name = "PveError";
  constructor(
    message: string,
    readonly status: number | undefined,
    readonly method: string,
    readonly path: string,
    readonly fieldErrors: Record<string, string> = {},
  ) {
    super(message);
  }
}

function parseBody(body: string | undefined): { message?: string; errors?: Record<string, string> } {
  if (!body) return {};
  try {
    const raw: unknown = JSON.parse(body);
    if (typeof raw !== "object" || raw === null) return {};
    const out: { message?: string; errors?: Record<string, string> } = {};
    if ("message" in raw && typeof raw.message === "string") out.message = raw.message;
    if ("errors" in raw && typeof raw.errors === "object" && raw.errors !== null) {
      out.errors = {};
      for (const [k, v] of Object.entries(raw.errors)) if (typeof v === "string") out.errors[k] = v.trim();
    }
    return out;
  } catch {
    return {};
  }
}

/** Builds the error for a failed call from what went over the wire. */
export function toPveError(method: string, path: string, exchange: Exchange): PveError {
  const { message, errors = {} } = parseBody(exchange.body);
  let text = (message ?? exchange.statusText ?? "").trim() || `HTTP ${exchange.status}`;
  const fields = Object.entries(errors);
  if (fields.length) text += ` (${fields.map(([k, v]) => `${k}: ${v}`).join("; ")})`;
  if (exchange.status === 401) text += " — check the agent's PVE API token";
  return new PveError(text, exchange.status, method, path, errors);
}
