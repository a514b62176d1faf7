import { type RouteHandler, z } from "@hono/zod-openapi";
import { jobSchema, VM_IMAGES, vmidSchema } from "@pylon/shared";
import type { AppEnv } from "../../env.ts";
import { createJob, toJob } from "../../services/jobs.ts";
import { defineRoute, err, requires } from "../define.ts";
import { json, jsonBody } from "../json.ts";
import { requester } from "../requester.ts";
import { nodeIdParams } from "./schema.ts";

const bodySchema = z
  .object({
    image: z.enum(VM_IMAGES).meta({ description: "The cloud image to build the template from" }),
    vmid: vmidSchema
      .default(9000)
      .meta({ description: "The template's VM id (apps.vmTemplateId of the agent)" }),
    storage: z.string().min(1).max(64).default("local-lvm").meta({ description: "Where its disk goes" }),
    bridge: z.string().min(1).max(32).default("vmbr0"),
  })
  .strict()
  .meta({ id: "VmTemplateRequest" });

export const route = defineRoute(requires("admin", "write"), "nodes.vm-template", {
  method: "post",
  path: "/nodes/{id}/vm-template",
  tags: ["nodes"],
  summary:
    "Prepare the cloud-init VM template on the node: download a Debian or Ubuntu cloud image with Proxmox's download-url, import it as the disk, add a cloud-init drive, serial console and the guest agent (through cloud-init); returns the job",
  request: { params: nodeIdParams, body: jsonBody(bodySchema) },
  responses: { 202: json(jobSchema, "Job queued"), 404: err("No such node"), 409: err("No agent enrolled") },
});

export const handler: RouteHandler<typeof route, AppEnv> = async (c) => {
  const id = c.req.valid("param").id;
  const body = c.req.valid("json");
  c.set("audit", { action: "nodes.vm-template", target: `${id}/${body.vmid}` });
  const job = await createJob(c.get("deps"), {
    nodeId: id,
    kind: "node.vmTemplate",
    params: body,
    origin: requester(c),
  });
  return c.json(toJob(job, c.get("principal")), 202);
};
