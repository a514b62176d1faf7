import { readFileSync } from "node:fs";
import { join } from "node:path";
import type { World } from "../world.ts";

/**
 * Whether cloud-init installs qemu-guest-agent at first boot: a `cicustom` vendor (or user)
 * snippet on a storage with snippets whose text installs it (what Pylon's template preparation
 * writes). A stock cloud image has no agent otherwise.
 */
export function snippetInstallsGuestAgent(world: World, cicustom: string | undefined): boolean {
  for (const part of (cicustom ?? "").split(",")) {
    const m = /^(?:vendor|user)=([^:]+):snippets\/(.+)$/.exec(part);
    if (!m) continue;
    const storage = world.storages.find((s) => s.id === m[1]);
    if (!storage?.path || !storage.content.includes("snippets")) continue;
    try {
      if (readFileSync(join(storage.path, "snippets", m[2]!), "utf8").includes("qemu-guest-agent"))
        return true;
    } catch {
      // A missing snippet makes PVE fail the VM's start; here it installs nothing.
    }
  }
  return false;
}
