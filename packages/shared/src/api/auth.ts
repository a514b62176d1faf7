import { z } from "zod";
import { idSchema } from "./common.ts";
import { scopeSchema } from "./roles.ts";
import { displayNameSchema, emailSchema, passwordSchema, userSchema } from "./users.ts";

export const loginBodySchema = z
  .object({ email: emailSchema, password: z.string().min(1, "is required").max(256) })
  .strict()
  .meta({ id: "Login" });

/** Who is calling: the user, and how they authenticated. */
export const meSchema = z
  .object({
    user: userSchema,
    via: z.enum(["session", "token"]),
    csrfToken: z
      .string()
      .optional()
      .meta({ description: "Send as X-CSRF-Token on mutations made with the session cookie" }),
    token: z.object({ id: idSchema, name: z.string(), scopes: z.array(scopeSchema) }).optional(),
  })
  .meta({ id: "Me" });

export const passwordChangeBodySchema = z
  .object({ currentPassword: z.string().min(1, "is required").max(256), newPassword: passwordSchema })
  .strict()
  .meta({ id: "PasswordChange" });

export const setupStatusSchema = z
  .object({ needed: z.boolean().meta({ description: "True until the first admin account exists" }) })
  .meta({ id: "SetupStatus" });

export const setupBodySchema = z
  .object({
    token: z.string().min(1, "is required").max(200),
    email: emailSchema,
    name: displayNameSchema,
    password: passwordSchema,
  })
  .strict()
  .meta({ id: "Setup" });
