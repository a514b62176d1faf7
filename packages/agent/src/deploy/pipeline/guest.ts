import { restoreBackup } from "../../backup/restore.ts";
import type { JobContext } from "../../jobs/types.ts";
import type { GuestType } from "../../proxmox/client.ts";
import { PveError } from "../../proxmox/errors.ts";
import { errorMessage } from "../../util/errors.ts";
import { newest } from "../../util/versions.ts";
import { agentKeyPair, forgetHostKey } from "./connect.ts";
import { type DeployRun, vmidOf, waitTask } from "./context.ts";
import type { AppJobDeps } from "./deps.ts";
import { hostPct } from "./host-pct.ts";
import type { PveApi } from "./pve-api.ts";
import { dropSnapshot } from "./snapshot.ts";
import { StepFailure } from "./steps.ts";
import { withStaticAddress } from "./vm-addresses.ts";
import { bootDisk, templateProblems } from "./vm-template.ts";

const label = (type: GuestType, vmid: number) => `${type === "lxc" ? "CT" : "VM"} ${vmid}`;

/** Reserves a VMID: Proxmox's next free id, checked again right before create (retried on a race). */
export async function reserveVmid(run: DeployRun): Promise<string> {
  if (run.state.vmid !== null) return `VMID ${run.state.vmid} (recorded)`;
  run.state.vmid = await run.api.nextId();
  // Recorded before create, so a restart finds (and reuses or undoes) the guest it may have made.
  await run.ctx.checkpoint("deploy.vmid", { vmid: run.state.vmid });
  return `VMID ${run.state.vmid}`;
}

/** The debian-12 CT template's volid, downloaded through aplinfo when the storage lacks it. */
export async function ensureLxcTemplate(run: DeployRun): Promise<string> {
  const { api, deps } = run;
  const have = await api.content(deps.lxcTemplateStorage, "vztmpl");
  const found = newest(have.filter((v) => v.includes(`/${deps.lxcTemplatePrefix}`)));
  if (found) return found;
  const available = (await api.aplinfo())
    .map((t) => t.template)
    .filter((t) => t.startsWith(deps.lxcTemplatePrefix));
  const latest = newest(available);
  if (!latest)
    throw new StepFailure(
      `no ${deps.lxcTemplatePrefix} template in ${deps.lxcTemplateStorage} or in aplinfo`,
    );
  await run.ctx.log("info", `downloading CT template ${latest} to ${deps.lxcTemplateStorage}`);
  await waitTask(run.ctx, deps, await api.downloadTemplate(deps.lxcTemplateStorage, latest));
  return `${deps.lxcTemplateStorage}:vztmpl/${latest}`;
}

/** Creates the app's CT or clones its VM; retries with a new VMID when the id was taken meanwhile. */
export async function createGuest(run: DeployRun): Promise<string> {
  const { api, params, ctx, deps } = run;
  for (let attempt = 0; ; attempt++) {
    const vmid = vmidOf(run);
    const existing = await api.status(params.guest.type, vmid);
    if (existing && existing.lock !== "create" && ctx.resumed) {
      if (params.mode === "restore") return configureRestored(run, vmid);
      // The agent may have stopped between create and this: set keyctl again (idempotent).
      if (params.guest.type === "lxc" && params.mode !== "clone") await setCtFeatures(run, vmid);
      return `${label(params.guest.type, vmid)} exists (resumed)`;
    }
    try {
      if (params.mode === "clone") await cloneApp(run, vmid);
      else if (params.mode === "restore") await restoreApp(run, vmid);
      else
        await waitTask(
          ctx,
          deps,
          params.guest.type === "lxc" ? await createLxc(run, vmid) : await cloneVm(run, vmid),
        );
      break;
    } catch (err) {
      const taken = err instanceof PveError && /already exists|config file already exists/.test(err.message);
      if (!taken || attempt >= 5) throw err;
      run.state.vmid = await api.nextId();
      await ctx.checkpoint("deploy.vmid", { vmid: run.state.vmid });
      await ctx.log("warn", `VMID ${vmid} was taken meanwhile; using ${run.state.vmid}`);
    }
  }
  if (params.mode === "restore") return configureRestored(run, vmidOf(run));
  if (params.guest.type === "qemu") await configureVm(run, vmidOf(run));
  else if (params.mode === "clone")
    await run.api.setConfig("lxc", vmidOf(run), { cores: params.guest.cores, memory: params.guest.memoryMb });
  else await setCtFeatures(run, vmidOf(run));
  const made = label(params.guest.type, vmidOf(run));
  return params.mode === "clone" ? `${made} cloned from ${params.cloneFrom}` : made;
}

/** nesting + keyctl (Docker in an unprivileged CT); only root@pam may set keyctl, so via `pct set`. */
function setCtFeatures(run: DeployRun, vmid: number): Promise<void> {
  return hostPct(run.deps, ["set", String(vmid), "--features", "nesting=1,keyctl=1"]);
}

/** Restores the app's backup into the new guest `vmid` (fresh MACs, the app's name). */
async function restoreApp(run: DeployRun, vmid: number): Promise<void> {
  const from = run.params.restoreFrom;
  if (!from) throw new StepFailure("no backup to restore from");
  await restoreBackup(run.ctx, run.deps, run.api, "deploy.restore", {
    type: run.params.guest.type,
    vmid,
    volid: from.volid,
    storage: run.params.guest.storage,
    hostname: run.params.name,
  });
}

/**
 * A restored guest gets the app's name and resources; a CT its Docker features again (they
 * come from the backup, but only root may set keyctl, so `pct set` makes sure).
 */
async function configureRestored(run: DeployRun, vmid: number): Promise<string> {
  const g = run.params.guest;
  await run.api.setConfig(g.type, vmid, {
    cores: g.cores,
    memory: g.memoryMb,
    ...(g.type === "qemu" ? { name: run.params.name } : {}),
  });
  if (g.type === "lxc") await setCtFeatures(run, vmid);
  return `${label(g.type, vmid)} restored from ${run.params.restoreFrom?.volid}`;
}

/**
 * A full clone of another app's guest, from a snapshot taken for it (so the source keeps
 * running, and a CT clone does not need it stopped). The snapshot is dropped afterwards,
 * whatever happened. Its name is fixed per clone, so a resumed step finds it again.
 */
async function cloneApp(run: DeployRun, vmid: number): Promise<void> {
  const { api, ctx, deps, params } = run;
  const type = params.guest.type;
  const source = params.cloneFrom;
  if (source === undefined) throw new StepFailure("no guest to clone from");
  if (!(await api.status(type, source)))
    throw new StepFailure(`${label(type, source)} to clone from does not exist on ${ctx.nodeName}`);
  const snapname = `pylon_clone_${vmid}`;
  if (!(await api.snapshots(type, source)).includes(snapname))
    await waitTask(ctx, deps, await api.snapshot(type, source, snapname));
  try {
    await waitTask(
      ctx,
      deps,
      await api.clone(type, source, {
        newid: vmid,
        [type === "lxc" ? "hostname" : "name"]: params.name,
        full: 1,
        snapname,
        storage: params.guest.storage,
      }),
    );
  } finally {
    await dropSnapshot(ctx, deps, api, type, source, snapname).catch((err: unknown) =>
      ctx.log("warn", `snapshot ${snapname} of ${label(type, source)} not deleted: ${errorMessage(err)}`),
    );
  }
}

async function createLxc(run: DeployRun, vmid: number): Promise<string> {
  const g = run.params.guest;
  return run.api.createLxc({
    vmid,
    ostemplate: await ensureLxcTemplate(run),
    hostname: run.params.name,
    unprivileged: 1,
    // A token may set nesting only; keyctl (Docker in an unprivileged CT) is set by `pct set`
    // as root once the CT exists (PVE: "changing feature flags (except nesting) is only
    // allowed for root@pam").
    features: "nesting=1",
    rootfs: `${g.storage}:${g.diskGb}`,
    net0: `name=eth0,bridge=${g.bridge},ip=dhcp`,
    cores: g.cores,
    memory: g.memoryMb,
    onboot: 1,
  });
}

/**
 * Clones the cloud-init template: checked first (naming what it lacks); a linked clone on the
 * template's storage, or a full clone onto the storage the deploy asked for.
 */
async function cloneVm(run: DeployRun, vmid: number): Promise<string> {
  const template = run.deps.vmTemplateId;
  const resources = await run.ctx.pve.clusterResources("vm");
  const t = resources.find((r) => r.vmid === template && r.node === run.ctx.nodeName);
  if (t?.type !== "qemu" || !t.template)
    throw new StepFailure(
      `VM ${template} on ${run.ctx.nodeName} is not a QEMU template (prepare one from the node page, or set apps.vmTemplateId)`,
    );
  const config = await run.api.config("qemu", template);
  const { missing, warnings } = templateProblems(template, config, {
    staticAddresses: !!run.deps.vmAddresses,
  });
  if (missing.length) throw new StepFailure(`VM template ${template} lacks ${missing.join("; ")}`);
  for (const w of warnings) await run.ctx.log("warn", `VM template ${template}: ${w}`);
  const storage = run.params.guest.storage;
  const full = storage !== bootDisk(config)?.storage;
  return run.api.cloneVm(template, {
    newid: vmid,
    name: run.params.name,
    full: full ? 1 : 0,
    ...(full ? { storage } : {}),
  });
}

/**
 * cloud-init user, the agent's key, the network (DHCP, or a static address from
 * apps.vmAddresses), no package upgrade on first boot (PVE 8 defaults `ciupgrade` to on, and
 * that upgrade holds the dpkg lock while the deploy wants apt), resources and disk size.
 */
async function configureVm(run: DeployRun, vmid: number): Promise<void> {
  const g = run.params.guest;
  const keys = await agentKeyPair(run.deps.stateDir);
  const set = (ipconfig0: string) =>
    run.api.setConfig("qemu", vmid, {
      cores: g.cores,
      memory: g.memoryMb,
      ciuser: run.deps.vmUser,
      // PVE-API.md: sshkeys must be URL-encoded; the form encoding then encodes it again.
      sshkeys: encodeURIComponent(`${keys.public.trim()}\n`),
      ipconfig0,
      ciupgrade: 0,
      net0: `virtio,bridge=${g.bridge}`,
      agent: "enabled=1",
      onboot: 1,
    });
  const range = run.deps.vmAddresses;
  if (range) {
    const vms = (await run.ctx.pve.clusterResources("vm"))
      .filter(
        (r) => r.type === "qemu" && r.node === run.ctx.nodeName && r.vmid !== undefined && r.vmid !== vmid,
      )
      .map((r) => Number(r.vmid));
    await withStaticAddress(run.api, vms, range, async (ipconfig0, address) => {
      await set(ipconfig0);
      await run.ctx.log("info", `VM ${vmid} gets the static address ${address} through cloud-init`);
    });
  } else await set("ip=dhcp");
  const config = await run.api.config("qemu", vmid);
  const disk = bootDisk(config)?.key;
  if (!disk) throw new StepFailure(`the clone of VM ${run.deps.vmTemplateId} has no boot disk to resize`);
  const current = diskSizeGb(config[disk]);
  if (current !== undefined && current >= g.diskGb) {
    await run.ctx.log("info", `${disk} of the template is ${current}G already; not resized`);
    return;
  }
  try {
    await waitTask(run.ctx, run.deps, await run.api.resize("qemu", vmid, disk, `${g.diskGb}G`));
  } catch (err) {
    if (!(err instanceof PveError && /already at specified size/.test(err.message))) throw err;
  }
}

/** The size in GiB of a disk property string (`local-lvm:base-9000-disk-0,size=8G`). */
export function diskSizeGb(value: unknown): number | undefined {
  const m = /(?:^|,)size=(\d+(?:\.\d+)?)([KMGT]?)(?:,|$)/.exec(String(value ?? ""));
  if (!m) return undefined;
  const unit: Record<string, number> = { K: 1 / 1024 ** 2, M: 1 / 1024, G: 1, T: 1024, "": 1 / 1024 ** 3 };
  return Number(m[1]) * (unit[m[2] ?? ""] ?? 1);
}

/** Stops (if running) and destroys a guest with purge; nothing to do when it is already gone. */
export async function destroyGuest(
  ctx: JobContext,
  deps: AppJobDeps,
  api: PveApi,
  type: GuestType,
  vmid: number,
): Promise<boolean> {
  const status = await api.status(type, vmid);
  if (!status) return false;
  if (status.status === "running") await waitTask(ctx, deps, await api.power(type, vmid, "stop"));
  await waitTask(ctx, deps, await api.destroy(type, vmid));
  if (type === "qemu") await forgetHostKey(deps.stateDir, vmid);
  return true;
}

/** Starts a guest unless it already runs. */
export async function startGuestNow(
  ctx: JobContext,
  deps: AppJobDeps,
  api: PveApi,
  type: GuestType,
  vmid: number,
): Promise<string> {
  const status = await api.status(type, vmid);
  if (status?.status === "running") return `${label(type, vmid)} already running`;
  await waitTask(ctx, deps, await api.power(type, vmid, "start"));
  return `${label(type, vmid)} running`;
}

/** The deploy's start step. */
export function startGuest(run: DeployRun): Promise<string> {
  return startGuestNow(run.ctx, run.deps, run.api, run.params.guest.type, vmidOf(run));
}
