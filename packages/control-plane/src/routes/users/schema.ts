import { z } from "@hono/zod-openapi";
import { idSchema } from "@pylon/shared";

export const userIdParams = z.object({ id: idSchema.meta({ param: { name: "id", in: "path" } }) });
