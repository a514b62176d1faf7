import { z } from "zod";
import { idSchema, timestampSchema } from "./common.ts";
import { roleSchema } from "./roles.ts";

/** Password rule, after OWASP ASVS v4 2.1: length is what matters, any characters allowed. */
export const passwordSchema = z
  .string()
  .min(12, "must be at least 12 characters")
  .max(256, "must be at most 256 characters");

export const emailSchema = z
  .string()
  .trim()
  .max(254)
  .pipe(z.email("must be an email address"))
  .transform((e) => e.toLowerCase());

export const displayNameSchema = z.string().trim().min(1, "must not be empty").max(100);

export const userSchema = z
  .object({
    id: idSchema,
    email: z.string(),
    name: z.string(),
    role: roleSchema,
    disabled: z.boolean(),
    createdAt: timestampSchema,
    updatedAt: timestampSchema,
  })
  .meta({ id: "User" });
export type User = z.infer<typeof userSchema>;

export const createUserBodySchema = z
  .object({
    email: emailSchema,
    name: displayNameSchema,
    role: roleSchema,
    password: passwordSchema,
  })
  .strict()
  .meta({ id: "CreateUser" });

export const updateUserBodySchema = z
  .object({
    name: displayNameSchema.optional(),
    role: roleSchema.optional(),
    disabled: z.boolean().optional(),
    password: passwordSchema.optional(),
  })
  .strict()
  .meta({ id: "UpdateUser" });

export const userListSchema = z.object({ items: z.array(userSchema) }).meta({ id: "UserList" });
