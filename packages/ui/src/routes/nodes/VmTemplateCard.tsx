import { VM_IMAGES } from "@pylon/shared/values";
import { createSignal } from "solid-js";
import { createAction } from "../../api/action.ts";
import { prepareVmTemplate } from "../../api/actions.ts";
import type { NodeDetail } from "../../api/queries.ts";
import { Button } from "../../components/Button.tsx";
import { ErrorMessage } from "../../components/ErrorMessage.tsx";
import { Field } from "../../components/Field.tsx";
import { SelectField } from "../../components/SelectField.tsx";
import { navigate } from "../../router/router.tsx";

/**
 * Admin: have Pylon prepare the cloud-init VM template VMs are cloned from (a current cloud
 * image, imported, with cloud-init, serial console and the guest agent), then follow the job.
 */
export function VmTemplateCard(props: { node: NodeDetail }) {
  const prepare = createAction(prepareVmTemplate);
  const [image, setImage] = createSignal<string>(VM_IMAGES[0]);
  const [vmid, setVmid] = createSignal("9000");
  const disks = () =>
    (props.node.inventory?.storages ?? []).filter((s) => s.content.includes("images")).map((s) => s.storage);
  const [storage, setStorage] = createSignal(disks()[0] ?? "local-lvm");
  const submit = async (e: Event) => {
    e.preventDefault();
    const job = await prepare.run(props.node.id, {
      image: image(),
      vmid: Number(vmid()),
      storage: storage(),
      bridge: "vmbr0",
    });
    if (job) navigate(`/jobs/${job.id}`);
  };
  return (
    <section class="card" aria-labelledby="vm-template-title">
      <h2 id="vm-template-title">VM template</h2>
      <p class="muted">
        VMs are cloned from a cloud-init template. Pylon can make one from a current Debian or Ubuntu cloud
        image; it needs a storage with the “import” content type (PVE 8.4 or later) and, to install the guest
        agent, one with “snippets”.
      </p>
      <form class="form-row" onSubmit={(e) => void submit(e)}>
        <SelectField
          label="Cloud image"
          value={image()}
          onValue={setImage}
          options={VM_IMAGES.map((i) => ({ value: i, label: i }))}
        />
        <Field label="VM id" value={vmid()} onValue={setVmid} inputMode="numeric" />
        <SelectField
          label="Disk storage"
          value={storage()}
          onValue={setStorage}
          options={(disks().length ? disks() : ["local-lvm"]).map((s) => ({ value: s, label: s }))}
        />
        <Button type="submit" busy={prepare.pending()} busyLabel="Starting…">
          Prepare VM template
        </Button>
      </form>
      <ErrorMessage error={prepare.error()} />
    </section>
  );
}
