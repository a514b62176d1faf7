import { z } from "zod";
import { idSchema, timestampSchema } from "./common.ts";
import { scopeSchema } from "./roles.ts";

export const tokenSchema = z
  .object({
    id: idSchema,
    name: z.string(),
    prefix: z.string().meta({ description: "The first characters of the secret, to recognise it" }),
    scopes: z.array(scopeSchema),
    userId: idSchema,
    createdAt: timestampSchema,
    expiresAt: timestampSchema.nullable(),
    lastUsedAt: timestampSchema.nullable(),
  })
  .meta({ id: "ApiToken" });
export type ApiToken = z.infer<typeof tokenSchema>;

export const createTokenBodySchema = z
  .object({
    name: z.string().trim().min(1, "must not be empty").max(100),
    scopes: z.array(scopeSchema).min(1, "must name at least one scope").max(4),
    expiresInDays: z
      .number()
      .int()
      .min(1)
      .max(3650)
      .optional()
      .meta({ description: "Omit for a token that does not expire" }),
  })
  .strict()
  .meta({ id: "CreateToken" });

export const createdTokenSchema = z
  .object({
    token: tokenSchema,
    secret: z.string().meta({ description: "The bearer secret (pyl_…). Shown once; store it now." }),
  })
  .meta({ id: "CreatedToken" });

export const tokenListSchema = z.object({ items: z.array(tokenSchema) }).meta({ id: "ApiTokenList" });
