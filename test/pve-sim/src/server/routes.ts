import { clusterRoutes } from "../cluster/routes.ts";
import { destroyRoutes } from "../guests/destroy.ts";
import { snapshotRoutes } from "../guests/snapshots.ts";
import { vzdumpRoutes } from "../guests/vzdump.ts";
import { lxcCloneRoutes } from "../lxc/clone.ts";
import { lxcConfigRoutes } from "../lxc/config.ts";
import { lxcCreateRoutes } from "../lxc/create.ts";
import { lxcPowerRoutes } from "../lxc/power.ts";
import { qemuAgentRoutes } from "../qemu/agent.ts";
import { qemuCloneRoutes } from "../qemu/clone.ts";
import { qemuConfigRoutes } from "../qemu/config.ts";
import { qemuCreateRoutes } from "../qemu/create.ts";
import { qemuPowerRoutes } from "../qemu/power.ts";
import { qemuTemplateRoutes } from "../qemu/template.ts";
import { downloadRoutes } from "../storage/download.ts";
import { storageRoutes } from "../storage/routes.ts";
import { taskRoutes } from "../tasks/routes.ts";
import { Router } from "./router.ts";

/** Every simulated endpoint (everything else answers 501). */
export function buildRouter(): Router {
  return new Router().add(
    ...clusterRoutes(),
    ...taskRoutes(),
    ...storageRoutes(),
    ...lxcCreateRoutes(),
    ...lxcConfigRoutes(),
    ...lxcPowerRoutes(),
    ...lxcCloneRoutes(),
    ...destroyRoutes("lxc"),
    ...snapshotRoutes("lxc"),
    ...qemuCreateRoutes(),
    ...qemuConfigRoutes(),
    ...qemuPowerRoutes(),
    ...qemuCloneRoutes(),
    ...qemuTemplateRoutes(),
    ...downloadRoutes(),
    ...qemuAgentRoutes(),
    ...destroyRoutes("qemu"),
    ...snapshotRoutes("qemu"),
    ...vzdumpRoutes(),
  );
}
