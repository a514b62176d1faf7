// Hrana over HTTP, JSON encoding: the request bodies this server accepts, parsed in one place
// (https://github.com/tursodatabase/libsql/blob/main/docs/HRANA_3_SPEC.md, "Hrana over HTTP"
// and "Shared structures"). Unknown fields are ignored, as the spec asks for forward
// compatibility; anything else malformed is a protocol error (HTTP 400).
import { z } from "zod";
import { ProtocolError } from "./errors.ts";

const I64_MIN = -(2n ** 63n);
const I64_MAX = 2n ** 63n - 1n;

/** A SQLite value as the engine binds it: integers as bigint, floats as number, blobs as Buffer. */
export type SqlValue = null | bigint | number | string | Buffer;

const value = z
  .discriminatedUnion("type", [
    z.object({ type: z.literal("null") }),
    z.object({
      type: z.literal("integer"),
      value: z.string().regex(/^-?[0-9]+$/, "decimal integer as a string"),
    }),
    z.object({ type: z.literal("float"), value: z.number() }),
    z.object({ type: z.literal("text"), value: z.string() }),
    z.object({ type: z.literal("blob"), base64: z.string() }),
  ])
  .transform((v, ctx): SqlValue => {
    switch (v.type) {
      case "null":
        return null;
      case "integer": {
        const n = BigInt(v.value);
        if (n < I64_MIN || n > I64_MAX) {
          ctx.addIssue({ code: "custom", message: "integer out of the 64-bit range" });
          return z.NEVER;
        }
        return n;
      }
      case "float":
        return v.value;
      case "text":
        return v.value;
      case "blob":
        return Buffer.from(v.base64, "base64");
    }
  });

const sqlRef = {
  sql: z.string().nullish(),
  sql_id: z.number().int().nullish(),
};

export const stmtSchema = z.object({
  ...sqlRef,
  args: z.array(value).nullish(),
  named_args: z.array(z.object({ name: z.string(), value })).nullish(),
  want_rows: z.boolean().nullish(),
});
export type Stmt = z.infer<typeof stmtSchema>;

export type BatchCond =
  | { type: "ok" | "error"; step: number }
  | { type: "not"; cond: BatchCond }
  | { type: "and" | "or"; conds: BatchCond[] }
  | { type: "is_autocommit" };

const batchCond: z.ZodType<BatchCond> = z.lazy(() =>
  z.discriminatedUnion("type", [
    z.object({ type: z.enum(["ok", "error"]), step: z.number().int().min(0) }),
    z.object({ type: z.literal("not"), cond: batchCond }),
    z.object({ type: z.enum(["and", "or"]), conds: z.array(batchCond) }),
    z.object({ type: z.literal("is_autocommit") }),
  ]),
);

export const batchSchema = z.object({
  steps: z.array(z.object({ condition: batchCond.nullish(), stmt: stmtSchema })),
});
export type Batch = z.infer<typeof batchSchema>;

const streamRequest = z.discriminatedUnion("type", [
  z.object({ type: z.literal("close") }),
  z.object({ type: z.literal("execute"), stmt: stmtSchema }),
  z.object({ type: z.literal("batch"), batch: batchSchema }),
  z.object({ type: z.literal("sequence"), ...sqlRef }),
  z.object({ type: z.literal("describe"), ...sqlRef }),
  z.object({ type: z.literal("store_sql"), sql_id: z.number().int(), sql: z.string() }),
  z.object({ type: z.literal("close_sql"), sql_id: z.number().int() }),
  z.object({ type: z.literal("get_autocommit") }),
]);
export type StreamRequest = z.infer<typeof streamRequest>;

const pipelineBody = z.object({ baton: z.string().nullish(), requests: z.array(streamRequest) });
const cursorBody = z.object({ baton: z.string().nullish(), batch: batchSchema });

function parse<T>(schema: z.ZodType<T>, text: string): T {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (err) {
    throw new ProtocolError(`Cannot deserialize client message from JSON: ${(err as Error).message}`);
  }
  const result = schema.safeParse(json);
  if (result.success) return result.data;
  const issue = result.error.issues[0]!;
  const where = issue.path.length ? ` at ${issue.path.join(".")}` : "";
  throw new ProtocolError(`Cannot deserialize client message from JSON: ${issue.message}${where}`);
}

/** Parses `POST …/pipeline`'s body. */
export const parsePipelineBody = (text: string) => parse(pipelineBody, text);
/** Parses `POST v3/cursor`'s body. */
export const parseCursorBody = (text: string) => parse(cursorBody, text);

/** Hrana's JSON encoding of a value read from SQLite. */
export function valueToProto(v: unknown): Record<string, unknown> {
  if (v === null || v === undefined) return { type: "null" };
  if (typeof v === "bigint") return { type: "integer", value: v.toString() };
  // A non-finite float has no JSON form; sqld's serializer writes null there too.
  if (typeof v === "number") return { type: "float", value: Number.isFinite(v) ? v : null };
  if (typeof v === "string") return { type: "text", value: v };
  if (v instanceof Uint8Array) {
    return { type: "blob", base64: Buffer.from(v).toString("base64").replace(/=+$/, "") };
  }
  throw new Error(`the engine returned a value of type ${typeof v}`);
}

export interface StmtResult {
  cols: { name: string | null; decltype: string | null }[];
  rows: Record<string, unknown>[][];
  affected_row_count: number;
  last_insert_rowid: string | null;
}

export interface BatchResult {
  step_results: (StmtResult | null)[];
  step_errors: ({ message: string; code: string } | null)[];
}

export interface DescribeResult {
  params: { name: string | null }[];
  cols: { name: string; decltype: string | null }[];
  is_explain: boolean;
  is_readonly: boolean;
}
