import type { PropSchema } from "../schema/load.ts";

/** Decodes form/query text like pve-http-server: repeated keys are joined with "\0". */
export function decodeUrlencoded(text: string): Record<string, string> {
  const out: Record<string, string> = {};
  if (!text) return out;
  for (const kv of text.split(/[&;]/)) {
    if (!kv) continue;
    const eq = kv.indexOf("=");
    const dec = (s: string): string => {
      const plus = s.replace(/\+/g, " ");
      try {
        return decodeURIComponent(plus);
      } catch {
        return plus;
      }
    };
    const k = dec(eq < 0 ? kv : kv.slice(0, eq));
    const v = eq < 0 ? "" : dec(kv.slice(eq + 1));
    out[k] = out[k] === undefined ? v : `${out[k]}\0${v}`;
  }
  return out;
}

/** Turns "\0"-joined repeats into arrays where the schema expects an array. */
export function shapeArrays(params: Record<string, unknown>, props: Record<string, PropSchema>): void {
  for (const [k, v] of Object.entries(params)) {
    const schema = props[k];
    if (schema?.type === "array" && typeof v === "string") params[k] = v.split("\0");
    else if (
      schema?.type !== "array" &&
      Array.isArray(v) &&
      typeof schema?.format === "string" &&
      schema.format.endsWith("-list")
    )
      params[k] = v.join(",");
  }
}

/** Normalizes JSON booleans/numbers to the strings handlers read (arrays and objects stay). */
export function normalize(params: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(params)) {
    if (v === true) out[k] = "1";
    else if (v === false) out[k] = "0";
    else if (typeof v === "number") out[k] = String(v);
    else if (Array.isArray(v)) out[k] = v.map((x) => (typeof x === "string" ? x : String(x)));
    else out[k] = v;
  }
  return out;
}
