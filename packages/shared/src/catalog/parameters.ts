import type { CatalogEntry, CatalogParameter } from "./schema.ts";

/** A resolved parameter value, as it will be written into the compose file. */
export type ParameterValue = string | number | boolean;

/** One parameter that failed validation. */
export interface ParameterIssue {
  parameter: string;
  message: string;
}

/**
 * Thrown when catalog parameters (or secrets) are invalid. The message names every failing
 * parameter (`parameter 'admin_email': must be an email address`); `issues` has them one by one.
 */
export class CatalogParameterError extends Error {
  override readonly name = "CatalogParameterError";
  constructor(
    readonly issues: ParameterIssue[],
    kind = "parameter",
  ) {
    super(issues.map((i) => `${kind} '${i.parameter}': ${i.message}`).join("; "));
  }
}

const EMAIL =
  /^[^\s@"<>()[\],;:\\]+@[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)+$/i;
const HOSTNAME =
  /^(?=.{1,253}$)[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*$/i;

// shared compiles without DOM or Node types; URL is a global in every runtime it runs in.
declare const URL: new (input: string) => { protocol: string; hostname: string };

function isUrl(value: string): boolean {
  try {
    const url = new URL(value);
    return (url.protocol === "http:" || url.protocol === "https:") && url.hostname !== "";
  } catch {
    return false;
  }
}

function isTimeZone(value: string): boolean {
  if (!/^[A-Za-z][A-Za-z0-9_+\-/]*$/.test(value)) return false;
  try {
    new Intl.DateTimeFormat("en", { timeZone: value });
    return true;
  } catch {
    return false;
  }
}

const FORMAT_CHECKS = {
  email: { test: (v: string) => EMAIL.test(v), message: "must be an email address" },
  url: { test: isUrl, message: "must be an http(s) URL" },
  hostname: { test: (v: string) => HOSTNAME.test(v), message: "must be a host name" },
  timezone: { test: isTimeZone, message: "must be an IANA time zone such as Europe/Berlin" },
} as const;

/** Problems with a text value every string-like parameter shares: length and NUL bytes. */
function textProblem(value: string, min: number | undefined, max: number | undefined): string | undefined {
  // NUL cannot travel through an environment variable or a command line; refuse it early.
  if (value.includes("\0")) return "must not contain NUL bytes";
  const length = [...value].length;
  if (min !== undefined && length < min) return `must be at least ${min} characters`;
  if (max !== undefined && length > max) return `must be at most ${max} characters`;
  return undefined;
}

/** Why `value` is not acceptable for `param`, or undefined when it is. */
export function parameterProblem(param: CatalogParameter, value: unknown): string | undefined {
  switch (param.type) {
    case "string": {
      if (typeof value !== "string") return "must be a string";
      const problem = textProblem(value, param.minLength, param.maxLength);
      if (problem) return problem;
      if (param.required && value.trim() === "") return "is required";
      if (value === "" && !param.required) return undefined;
      if (param.pattern && !new RegExp(`^(?:${param.pattern})$`, "u").test(value)) {
        return param.patternMessage ?? `must match ${param.pattern}`;
      }
      if (param.format && !FORMAT_CHECKS[param.format].test(value))
        return FORMAT_CHECKS[param.format].message;
      return undefined;
    }
    case "secret": {
      if (typeof value !== "string") return "must be a string";
      if (param.required && value === "") return "is required";
      return textProblem(value, param.minLength, param.maxLength);
    }
    case "number": {
      if (typeof value !== "number" || !Number.isFinite(value)) return "must be a number";
      if (param.integer && !Number.isInteger(value)) return "must be a whole number";
      if (param.min !== undefined && value < param.min) return `must be at least ${param.min}`;
      if (param.max !== undefined && value > param.max) return `must be at most ${param.max}`;
      return undefined;
    }
    case "boolean":
      return typeof value === "boolean" ? undefined : "must be true or false";
    case "enum":
      return typeof value === "string" && param.options.includes(value)
        ? undefined
        : `must be one of ${param.options.map((o) => `'${o}'`).join(", ")}`;
  }
}

/**
 * Validates user-given parameters against an entry and fills defaults. Unknown names, wrong
 * types and failed validations all throw one CatalogParameterError naming each parameter.
 * Optional parameters with no value and no default resolve to the empty string.
 */
export function resolveParameters(
  entry: Pick<CatalogEntry, "id" | "parameters">,
  input: Readonly<Record<string, unknown>>,
): Record<string, ParameterValue> {
  const issues: ParameterIssue[] = [];
  const known = new Set(entry.parameters.map((p) => p.name));
  for (const name of Object.keys(input)) {
    if (!known.has(name)) issues.push({ parameter: name, message: `is not a parameter of '${entry.id}'` });
  }
  const values: Record<string, ParameterValue> = {};
  for (const param of entry.parameters) {
    const given = Object.hasOwn(input, param.name) ? input[param.name] : undefined;
    const value = given ?? (param.type === "secret" ? undefined : param.default);
    if (value === undefined) {
      if (param.required) issues.push({ parameter: param.name, message: "is required" });
      else values[param.name] = "";
      continue;
    }
    const problem = parameterProblem(param, value);
    if (problem) issues.push({ parameter: param.name, message: problem });
    else values[param.name] = value as ParameterValue;
  }
  if (issues.length > 0) throw new CatalogParameterError(issues);
  return values;
}
