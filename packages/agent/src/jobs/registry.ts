import type { JobKind } from "@pylon/shared/protocol/index";
import { appAction, appDelete, appDeploy, appDiagnostics, appResize } from "../deploy/pipeline/index.ts";
import { guestPower } from "./guest-power.ts";
import { nodeInventory } from "./node-inventory.ts";
import type { JobHandler } from "./types.ts";

/**
 * Every job kind this agent runs; its keys are the capabilities it announces in hello. Kinds
 * the protocol knows but this agent does not run yet are refused with `unknown_kind`.
 */
export const HANDLERS: { [K in JobKind]?: JobHandler<K> } = {
  "node.inventory": nodeInventory,
  "guest.power": guestPower,
  "app.deploy": appDeploy,
  "app.action": appAction,
  "app.delete": appDelete,
  "app.resize": appResize,
  "app.diagnostics": appDiagnostics,
};
