import { z } from "zod";
import { VM_IMAGES } from "../values.ts";
import { vmidSchema } from "./guests.ts";

export { VM_IMAGES, type VmImage } from "../values.ts";

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
