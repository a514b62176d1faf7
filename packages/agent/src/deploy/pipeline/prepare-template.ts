import { mkdir, writeFile } from "node:fs/promises";
import { join } from "node:path";
import type { VmImage, VmTemplateResult } from "@pylon/shared/protocol/index";
import { type JobContext, JobError, type JobHandler } from "../../jobs/types.ts";
import { errorMessage } from "../../util/errors.ts";
import { apiFor, waitTask } from "./context.ts";
import type { AppJobDeps } from "./deps.ts";
import { destroyGuest } from "./guest.ts";
import { depsOrFail, step } from "./manage.ts";
import type { PveApi } from "./pve-api.ts";

// `node.vmTemplate`: the cloud-init template VMs are cloned from, made by Pylon with Proxmox's
// own tools: `download-url` fetches a current Debian or Ubuntu cloud image onto a storage with
// `import` content (PVE 8.4+), a VM imports it as its disk (`import-from`), gets a cloud-init
// drive, a serial console, `agent: 1`, no first-boot upgrade, and a vendor snippet that has
// cloud-init install qemu-guest-agent (stock cloud images lack it); then it becomes a template.

/** Where each image is published (HTTPS; PVE verifies the certificate). */
const IMAGES: Record<VmImage, { url: string; file: string }> = {
  "debian-12": {
    url: "https://cloud.debian.org/images/cloud/bookworm/latest/debian-12-genericcloud-amd64.qcow2",
    file: "debian-12-genericcloud-amd64.qcow2",
  },
  "debian-13": {
    url: "https://cloud.debian.org/images/cloud/trixie/latest/debian-13-genericcloud-amd64.qcow2",
    file: "debian-13-genericcloud-amd64.qcow2",
  },
  "ubuntu-24.04": {
    // Ubuntu names its qcow2 image *.img; `import` content wants the format as extension.
    url: "https://cloud-images.ubuntu.com/noble/current/noble-server-cloudimg-amd64.img",
    file: "ubuntu-24.04-server-cloudimg-amd64.qcow2",
  },
};

const SNIPPET = "pylon-guest-agent.yaml";
/** cloud-init vendor data: the guest agent, started at once (user data from PVE still applies). */
export const GUEST_AGENT_SNIPPET =
  "#cloud-config\npackages:\n  - qemu-guest-agent\nruncmd:\n  - [systemctl, enable, --now, qemu-guest-agent]\n";

interface Plan {
  imageStorage: string;
  snippets: string | null;
  notes: string[];
}

/** Which storages to use, or a JobError saying what to enable. */
async function plan(ctx: JobContext, deps: AppJobDeps, target: string): Promise<Plan> {
  const storages = (await ctx.pve.storages(ctx.nodeName)).filter((s) => s.active && s.enabled);
  const has = (s: { content: string }, c: string) => s.content.split(",").includes(c);
  const disk = storages.find((s) => s.storage === target);
  if (!disk || !has(disk, "images"))
    throw new JobError(
      `storage '${target}' does not exist on ${ctx.nodeName} or holds no VM disks (images)`,
      "check",
    );
  const image =
    storages.find((s) => s.storage === "local" && has(s, "import")) ?? storages.find((s) => has(s, "import"));
  if (!image)
    throw new JobError(
      "no storage of this node holds 'import' content, which downloading a disk image needs (PVE 8.4 or later): enable it on a directory storage, e.g. `pvesm set local --content iso,vztmpl,backup,import`",
      "check",
    );
  const notes: string[] = [];
  const snippetStore = storages.find((s) => s.storage === deps.snippetsStorage && has(s, "snippets"));
  if (!snippetStore)
    notes.push(
      `the guest agent is not installed in clones: storage '${deps.snippetsStorage}' has no 'snippets' content (pvesm set ${deps.snippetsStorage} --content …,snippets); give VMs static addresses (apps.vmAddresses) or enable snippets and prepare the template again`,
    );
  return { imageStorage: image.storage, snippets: snippetStore ? snippetStore.storage : null, notes };
}

/** The image's volume on the storage, downloaded by PVE when it is not there yet. */
async function download(ctx: JobContext, deps: AppJobDeps, api: PveApi, storage: string, image: VmImage) {
  const { url, file } = IMAGES[image];
  const volid = `${storage}:import/${file}`;
  if ((await api.content(storage, "import")).includes(volid)) return `${volid} (already there)`;
  await waitTask(ctx, deps, await api.downloadUrl(storage, { url, filename: file, content: "import" }));
  return volid;
}

export const nodeVmTemplate: JobHandler<"node.vmTemplate"> = {
  kind: "node.vmTemplate",
  async run(params, ctx): Promise<VmTemplateResult> {
    const deps = depsOrFail("check");
    const api = apiFor(ctx, deps);
    const { vmid, image, storage, bridge } = params;
    const p = await step(ctx, "check", async () => {
      if (await api.status("qemu", vmid))
        throw new JobError(
          `VM ${vmid} already exists on ${ctx.nodeName}: choose another id or remove it`,
          "check",
        );
      return plan(ctx, deps, storage);
    });
    const volid = (await step(ctx, "download", () => download(ctx, deps, api, p.imageStorage, image))).split(
      " ",
    )[0]!;
    if (p.snippets)
      await step(ctx, "snippet", async () => {
        await mkdir(deps.snippetsDir, { recursive: true });
        await writeFile(join(deps.snippetsDir, SNIPPET), GUEST_AGENT_SNIPPET, { mode: 0o644 });
        return `${p.snippets}:snippets/${SNIPPET}`;
      });
    try {
      await step(ctx, "create", async () => {
        await waitTask(
          ctx,
          deps,
          await api.createVm({
            vmid,
            name: `pylon-${image.replace(/\./g, "-")}`,
            ostype: "l26",
            memory: 1024,
            cores: 1,
            scsihw: "virtio-scsi-single",
            scsi0: `${storage}:0,import-from=${volid}`,
            ide2: `${storage}:cloudinit`,
            boot: "order=scsi0",
            serial0: "socket",
            vga: "serial0",
            agent: "enabled=1",
            net0: `virtio,bridge=${bridge}`,
            ipconfig0: "ip=dhcp",
            ciupgrade: 0,
            ...(p.snippets ? { cicustom: `vendor=${p.snippets}:snippets/${SNIPPET}` } : {}),
          }),
        );
        return `VM ${vmid} with ${volid} as its disk`;
      });
      await step(ctx, "template", async () => {
        await waitTask(ctx, deps, await api.makeTemplate(vmid));
        return `VM ${vmid} is a template`;
      });
    } catch (err) {
      // Nothing half-made stays behind.
      await destroyGuest(ctx, deps, api, "qemu", vmid).catch((e: unknown) =>
        ctx.log("warn", `VM ${vmid} not removed after the failure: ${errorMessage(e)}`),
      );
      throw err;
    }
    for (const n of p.notes) await ctx.log("warn", n);
    return { vmid, image, guestAgent: p.snippets !== null, notes: p.notes };
  },
};
