import { z } from "zod";

/** Names of parameters, secrets, ports and volumes: usable as identifiers and in placeholders. */
export const keyNameSchema = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[a-z][a-z0-9_]*$/, "must be lower-case letters, digits and underscores, starting with a letter");

const regexSourceSchema = z
  .string()
  .min(1)
  .max(500)
  .refine((s) => {
    try {
      new RegExp(s, "u");
      return true;
    } catch {
      return false;
    }
  }, "must be a valid regular expression");

export const STRING_FORMATS = ["email", "url", "hostname", "timezone"] as const;

const parameterBase = {
  name: keyNameSchema,
  label: z.string().min(1).max(80),
  description: z.string().max(500).optional(),
  required: z.boolean(),
};

const stringParameterSchema = z
  .object({
    ...parameterBase,
    type: z.literal("string"),
    default: z.string().optional(),
    minLength: z.number().int().min(0).optional(),
    maxLength: z.number().int().min(1).max(4096).optional(),
    pattern: regexSourceSchema
      .optional()
      .meta({ description: "The whole value must match (anchored for you)" }),
    patternMessage: z.string().max(200).optional().meta({ description: "Shown when the pattern fails" }),
    format: z.enum(STRING_FORMATS).optional(),
  })
  .strict();

const numberParameterSchema = z
  .object({
    ...parameterBase,
    type: z.literal("number"),
    default: z.number().optional(),
    min: z.number().optional(),
    max: z.number().optional(),
    integer: z.boolean().optional(),
  })
  .strict();

const booleanParameterSchema = z
  .object({ ...parameterBase, type: z.literal("boolean"), default: z.boolean().optional() })
  .strict();

const enumParameterSchema = z
  .object({
    ...parameterBase,
    type: z.literal("enum"),
    options: z.array(z.string().min(1).max(200)).min(1),
    default: z.string().optional(),
  })
  .strict();

/** A value the user supplies that must never be shown back; secrets never have a default. */
const secretParameterSchema = z
  .object({
    ...parameterBase,
    type: z.literal("secret"),
    minLength: z.number().int().min(0).optional(),
    maxLength: z.number().int().min(1).max(4096).optional(),
  })
  .strict();

export const catalogParameterSchema = z
  .discriminatedUnion("type", [
    stringParameterSchema,
    numberParameterSchema,
    booleanParameterSchema,
    enumParameterSchema,
    secretParameterSchema,
  ])
  .meta({ id: "CatalogParameter" });
export type CatalogParameter = z.infer<typeof catalogParameterSchema>;
