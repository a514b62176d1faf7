import { z } from "zod";
import { vmidSchema } from "./guests.ts";

/** Cloud images Pylon can turn into its VM template (the agent knows where each is published). */
export const VM_IMAGES = ["debian-12", "debian-13", "ubuntu-24.04"] as const;
export type VmImage = (typeof VM_IMAGES)[number];

/** `node.vmTemplate`: download a cloud image and make the cloud-init template VMs are cloned from. */
export const vmTemplateParamsSchema = z
  .object({
    image: z.enum(VM_IMAGES),
    vmid: vmidSchema,
    /** Where the template's disk and cloud-init drive go. */
    storage: z.string().min(1).max(64),
    bridge: z.string().min(1).max(32),
  })
  .strict();
export type VmTemplateParams = z.infer<typeof vmTemplateParamsSchema>;

/** What `node.vmTemplate` reports. */
export const vmTemplateResultSchema = z.object({
  vmid: vmidSchema,
  image: z.enum(VM_IMAGES),
  /** Whether cloud-init installs qemu-guest-agent in clones (needs a storage with snippets). */
  guestAgent: z.boolean(),
  notes: z.array(z.string()),
});
export type VmTemplateResult = z.infer<typeof vmTemplateResultSchema>;
