import { z } from "zod";
import { AUTOMATION_POLICIES } from "../values.ts";

export { AUTOMATION_POLICIES, type AutomationPolicy } from "../values.ts";

/** PUT /settings/automation: the installation's automation policy. */
export const automationBodySchema = z
  .object({
    automation: z.enum(AUTOMATION_POLICIES).meta({
      description:
        "auto: daily backups with a default retention, weekly drills and update checks for every app, advanced controls hidden; pro: everything left to the user",
    }),
  })
  .strict()
  .meta({ id: "AutomationBody" });
