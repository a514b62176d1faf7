import type { App } from "@pylon/shared";
import { createSignal } from "solid-js";
import { createAction } from "../../api/action.ts";
import { type AppPatch, updateApp } from "../../api/actions.ts";
import { Button } from "../../components/Button.tsx";
import { Dialog } from "../../components/Dialog.tsx";
import { ErrorMessage } from "../../components/ErrorMessage.tsx";
import { Field } from "../../components/Field.tsx";

const whole = (v: string) => (v.trim() !== "" && Number.isInteger(Number(v)) ? Number(v) : null);

/** Checks the new figures; the disk can only grow (Proxmox cannot shrink a guest's disk). */
export function resizeProblems(app: App, input: { cores: string; memoryMb: string; diskGb: string }) {
  const out: Partial<Record<keyof AppPatch, string>> = {};
  const cores = whole(input.cores);
  const memory = whole(input.memoryMb);
  const disk = whole(input.diskGb);
  if (cores === null || cores < 1 || cores > 64) out.cores = "must be a whole number from 1 to 64";
  if (memory === null || memory < 256 || memory > 262_144) out.memoryMb = "must be from 256 to 262144 MiB";
  if (disk === null) out.diskGb = "must be a whole number";
  else if (disk < app.resources.diskGb)
    out.diskGb = `cannot shrink: must be at least the current ${app.resources.diskGb} GiB`;
  else if (disk > 4096) out.diskGb = "must be at most 4096 GiB";
  return out;
}

/** Changes cores and memory (live) and grows the disk; sends only what changed. */
export function ResizeDialog(props: { app: App; onClose: () => void; onDone: (a: App) => void }) {
  const r = props.app.resources;
  const [cores, setCores] = createSignal(String(r.cores));
  const [memoryMb, setMemoryMb] = createSignal(String(r.memoryMb));
  const [diskGb, setDiskGb] = createSignal(String(r.diskGb));
  const resize = createAction(updateApp);
  const problems = () =>
    resizeProblems(props.app, { cores: cores(), memoryMb: memoryMb(), diskGb: diskGb() });
  const patch = (): AppPatch => {
    const p: AppPatch = {};
    if (Number(cores()) !== r.cores) p.cores = Number(cores());
    if (Number(memoryMb()) !== r.memoryMb) p.memoryMb = Number(memoryMb());
    if (Number(diskGb()) !== r.diskGb) p.diskGb = Number(diskGb());
    return p;
  };
  const ready = () => Object.keys(problems()).length === 0 && Object.keys(patch()).length > 0;
  const submit = async (e: SubmitEvent) => {
    e.preventDefault();
    if (!ready()) return;
    const a = await resize.run(props.app.id, patch());
    if (a) props.onDone(a);
  };
  const err = (k: keyof AppPatch) => problems()[k] ?? resize.error()?.field(k);
  return (
    <Dialog title={`Resize “${props.app.name}”`} onClose={props.onClose}>
      <form onSubmit={submit} novalidate>
        <div class="dialog-body">
          <p class="muted">Cores and memory change while the app runs. The disk can grow, never shrink.</p>
          <Field
            label="CPU cores"
            name="cores"
            type="number"
            min={1}
            max={64}
            value={cores()}
            onValue={setCores}
            error={err("cores")}
          />
          <Field
            label="Memory (MiB)"
            name="memoryMb"
            type="number"
            min={256}
            step={256}
            value={memoryMb()}
            onValue={setMemoryMb}
            error={err("memoryMb")}
          />
          <Field
            label="Disk (GiB)"
            name="diskGb"
            type="number"
            min={r.diskGb}
            hint={`Now ${r.diskGb} GiB.`}
            value={diskGb()}
            onValue={setDiskGb}
            error={err("diskGb")}
          />
        </div>
        <ErrorMessage error={resize.error()} fields={["cores", "memoryMb", "diskGb"]} />
        <div class="actions">
          <Button onClick={() => props.onClose()}>Cancel</Button>
          <Button
            type="submit"
            variant="primary"
            disabled={!ready()}
            busy={resize.pending()}
            busyLabel="Resizing…"
          >
            Resize
          </Button>
        </div>
      </form>
    </Dialog>
  );
}
