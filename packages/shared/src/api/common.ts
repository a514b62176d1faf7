import { z } from "zod";

/** Opaque resource ids: a short prefix and random base32 (e.g. `usr_…`). */
export const idSchema = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[a-z]+_[a-z0-9]+$/, "must be a Pylon id");

/** ISO-8601 timestamp as the API sends it. */
export const timestampSchema = z.string().meta({ description: "ISO-8601 date and time (UTC)" });

/** Cursor pagination parameters shared by list endpoints. */
export const pageQuerySchema = z.object({
  cursor: z.string().max(200).optional().meta({ description: "Opaque cursor from the previous page" }),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});

/** Wraps an item schema into a cursor page. */
export function pageOf<T extends z.ZodType>(item: T) {
  return z.object({ items: z.array(item), nextCursor: z.string().nullable() });
}

export const errorBodySchema = z
  .object({
    error: z.object({
      code: z.string(),
      message: z.string(),
      details: z.unknown().optional(),
      requestId: z.string(),
    }),
  })
  .meta({ id: "Error" });
