import { hashFormats, namedValidator } from "./formats.ts";
import type { PropSchema } from "./load.ts";

// A port of the checks in pve-common's JSONSchema.pm (check_prop, check_object, check_type,
// parse_property_string), so field texts match the real 400 answers.

/** A parameter value as it arrives: a string, repeated keys as an array, or JSON data. */
export type ParamValue = unknown;
type Errors = Record<string, string>;

// How many instances an indexed parameter (`net[n]`) has; PVE expands them at load time.
const INDEX_MAX: Record<string, number> = {
  ide: 4,
  sata: 6,
  scsi: 31,
  virtio: 16,
  serial: 4,
  parallel: 3,
  usb: 14,
  hostpci: 16,
  numa: 8,
  virtiofs: 10,
  mp: 256,
  unused: 256,
  dev: 256,
};

/** Expands `net[n]` style keys into `net0`…`netN`, as the real method schemas hold them. */
export function expandIndexed(props: Record<string, PropSchema>): Record<string, PropSchema> {
  const out: Record<string, PropSchema> = {};
  for (const [k, v] of Object.entries(props)) {
    const m = /^(.+)\[n\]$/.exec(k);
    if (!m) {
      out[k] = v;
      continue;
    }
    const max = INDEX_MAX[m[1]!] ?? 32;
    for (let i = 0; i < max; i++) out[`${m[1]}${i}`] = v;
  }
  return out;
}

function addError(errors: Errors, path: string, msg: string): void {
  const p = path || "_root";
  errors[p] = errors[p] ? `${errors[p]}\\n${msg}` : msg;
}

const isNumber = (v: string): boolean => /^[+-]?(\d+\.\d+|\d+\.|\.\d+|\d+)([eE][+-]?\d+)?$/.test(v);
const isInteger = (v: string): boolean => /^[+-]?\d+$/.test(v);

function refType(v: unknown): string | undefined {
  if (Array.isArray(v)) return "ARRAY";
  if (v !== null && typeof v === "object") return "HASH";
  return undefined;
}

function scalarText(v: unknown): string {
  if (v === true) return "1";
  if (v === false) return "0";
  return String(v);
}

function checkType(path: string, type: string | undefined, value: unknown, errors: Errors): boolean {
  if (!type || type === "any") return true;
  const vt = refType(value);
  if (type === "array" || type === "object") {
    if (vt !== (type === "array" ? "ARRAY" : "HASH")) {
      addError(errors, path, `type check ('${type}') failed`);
      return false;
    }
    return true;
  }
  if (vt) {
    addError(errors, path, `type check ('${type}') failed - got ${vt}`);
    return false;
  }
  if (typeof value === "boolean") {
    if (type === "boolean") return true;
  }
  const text = scalarText(value);
  const ok =
    type === "boolean"
      ? text === "1" || text === "0"
      : type === "integer"
        ? isInteger(text)
        : type === "number"
          ? isNumber(text)
          : true;
  if (!ok) addError(errors, path, `type check ('${type}') failed - got '${text}'`);
  return ok;
}

/** Translates Perl's `(?^:…)` / `(?^i:…)` groups into JavaScript. */
export function perlRegex(pattern: string): RegExp {
  const insensitive = pattern.includes("(?^i:");
  const source = pattern.replace(/\(\?\^i?:/g, "(?:");
  return new RegExp(`^(?:${source})$`, insensitive ? "i" : "");
}

const regexCache = new Map<string, RegExp>();

function checkFormat(format: string | Record<string, PropSchema>, value: string, path: string): void {
  if (typeof format === "object") {
    parsePropertyString(format, value, path);
    return;
  }
  if (format === "regex") return;
  const hash = hashFormats[format];
  if (hash) {
    parsePropertyString(hash, value, path);
    return;
  }
  // Formats the simulator does not model are accepted unchecked (see README).
  namedValidator(format)?.(value);
}

class FormatError extends Error {
  constructor(readonly errors: Errors) {
    super("format error\n");
  }
}

/** Splits a property string ("name=eth0,bridge=vmbr0") and checks each sub-key like PVE. */
export function parsePropertyString(
  format: Record<string, PropSchema>,
  data: string,
  path = "",
): Record<string, string> {
  const res: Record<string, string> = {};
  let defaultKey: string | undefined;
  for (const part of data.split(",")) {
    if (/^\s*$/.test(part)) continue;
    const kv = /^([^=]+)=(.+)$/s.exec(part);
    if (kv) {
      let k = kv[1]!;
      let v = kv[2]!;
      if (res[k] !== undefined) throw new Error(`duplicate key in comma-separated list property: ${k}\n`);
      let schema = format[k];
      if (schema?.alias) {
        if (schema.keyAlias) res[schema.keyAlias] = k;
        k = schema.alias;
        schema = format[k];
      }
      if (!schema) throw new Error(`invalid key in comma-separated list property: ${k}\n`);
      if (schema.type === "boolean") {
        if (/^(1|on|yes|true)$/i.test(v)) v = "1";
        else if (/^(0|off|no|false)$/i.test(v)) v = "0";
      }
      res[k] = v;
    } else if (!part.includes("=")) {
      if (defaultKey) throw new Error(`duplicate key in comma-separated list property: ${defaultKey}\n`);
      defaultKey = Object.keys(format).find((key) => format[key]!.default_key);
      if (!defaultKey) throw new Error("value without key, but schema does not define a default key\n");
      if (res[defaultKey] !== undefined)
        throw new Error(`duplicate key in comma-separated list property: ${defaultKey}\n`);
      res[defaultKey] = part;
    } else {
      throw new Error("missing key in comma-separated list property\n");
    }
  }
  const errors: Errors = {};
  checkObject(path, format, res, false, errors);
  if (Object.keys(errors).length) throw new FormatError(errors);
  return res;
}

function formatFailure(err: unknown): string {
  if (err instanceof FormatError) {
    // PVE::Exception stringifies as the message followed by "key: text" lines.
    return `format error\n${Object.entries(err.errors)
      .map(([k, v]) => `${k}: ${v}\n`)
      .join("")}`;
  }
  return err instanceof Error ? err.message : String(err);
}

/** Checks one value against its schema, adding PVE's texts to `errors`. */
export function checkProp(value: ParamValue, schema: PropSchema, path: string, errors: Errors): void {
  if (value === undefined || value === null) {
    if (!schema.optional && !schema.alias)
      addError(errors, path, "property is missing and it is not optional");
    return;
  }
  if (!checkType(path, schema.type, value, errors)) return;
  if (Array.isArray(value)) {
    if (schema.items) {
      for (const [i, el] of value.entries()) checkProp(el, schema.items, `${path}[${i}]`, errors);
    }
    return;
  }
  if (refType(value) === "HASH") {
    if (schema.properties || schema.additionalProperties) {
      checkObject(
        path,
        schema.properties ?? {},
        value as Record<string, unknown>,
        schema.additionalProperties,
        errors,
      );
    }
    return;
  }
  const text = scalarText(value);
  if (schema.format) {
    try {
      checkFormat(schema.format, text, path);
    } catch (err) {
      addError(errors, path, `invalid format - ${formatFailure(err)}`);
      return;
    }
  }
  if (schema.pattern) {
    let re = regexCache.get(schema.pattern);
    if (!re) {
      re = perlRegex(schema.pattern);
      regexCache.set(schema.pattern, re);
    }
    if (!re.test(text)) {
      addError(errors, path, "value does not match the regex pattern");
      return;
    }
  }
  if (schema.maxLength !== undefined && [...text].length > schema.maxLength) {
    addError(errors, path, `value may only be ${schema.maxLength} characters long`);
    return;
  }
  if (schema.minLength !== undefined && [...text].length < schema.minLength) {
    addError(errors, path, `value must be at least ${schema.minLength} characters long`);
    return;
  }
  if (isNumber(text)) {
    if (schema.maximum !== undefined && Number(text) > Number(schema.maximum)) {
      addError(errors, path, `value must have a maximum value of ${schema.maximum}`);
      return;
    }
    if (schema.minimum !== undefined && Number(text) < Number(schema.minimum)) {
      addError(errors, path, `value must have a minimum value of ${schema.minimum}`);
      return;
    }
  }
  if (schema.enum && !schema.enum.includes(text)) {
    addError(
      errors,
      path,
      `value '${text}' does not have a value in the enumeration '${schema.enum.join(", ")}'`,
    );
  }
}

/** Checks an object's keys: each schema key, then keys the schema does not define. */
export function checkObject(
  path: string,
  schema: Record<string, PropSchema>,
  value: Record<string, unknown>,
  additional: PropSchema["additionalProperties"],
  errors: Errors,
): void {
  for (const [k, sub] of Object.entries(schema)) {
    checkProp(value[k], sub, path ? `${path}.${k}` : k, errors);
  }
  for (const k of Object.keys(value)) {
    const newPath = path ? `${path}.${k}` : k;
    const sub = schema[k];
    if (sub) {
      if (sub.requires && value[sub.requires] === undefined) {
        addError(
          errors,
          path ? `${path}.${sub.requires}` : sub.requires,
          `missing property - '${newPath}' requires this property`,
        );
      }
      continue;
    }
    if (additional === undefined || additional === 0 || additional === false) {
      if (additional !== undefined) {
        addError(
          errors,
          newPath,
          "property is not defined in schema and the schema does not allow additional properties",
        );
      }
      continue;
    }
    if (typeof additional === "object") checkProp(value[k], additional, newPath, errors);
  }
}

/** Validates request parameters against a method's parameter schema; returns field errors. */
export function validateParams(
  params: Record<string, ParamValue>,
  props: Record<string, PropSchema>,
  additionalProperties: number | undefined,
): Errors {
  const errors: Errors = {};
  checkObject("", props, params, additionalProperties ?? 1, errors);
  return errors;
}
