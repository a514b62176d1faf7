// Cloning an app: a new app (name, domain, ports, webhook secret of its own) whose guest is a
// full clone of the source app's guest, so the copy starts with the source's data.
import type { AppRow } from "../db/schema/index.ts";
import type { AppDeps } from "../deps.ts";
import { ApiError } from "../errors.ts";
import { randomSecret } from "../lib/crypto.ts";
import { newId } from "../lib/ids.ts";
import { seal } from "../lib/secret-box.ts";
import { appSecrets, appsConfig, checkCapacity, insertAndDeploy } from "./apps.ts";
import type { JobOrigin } from "./jobs.ts";
import { getNode } from "./nodes.ts";
import { portsOf } from "./ports.ts";

type Deps = Pick<AppDeps, "db" | "now" | "bus" | "secretKey" | "apps">;

/** Queues the clone of `source` as a new app named `name` (served at `domain` or `<name>.<apps domain>`). */
export async function cloneApp(
  deps: Deps,
  source: AppRow,
  body: { name: string; domain?: string | undefined },
  origin: JobOrigin,
): Promise<AppRow> {
  if (source.vmid === null)
    throw new ApiError(
      "conflict",
      `App '${source.name}' has no guest to clone yet (status ${source.status})`,
    );
  if (source.status === "deploying" || source.status === "deleting")
    throw new ApiError("conflict", `App '${source.name}' is ${source.status}; wait for it to finish`);
  const node = await getNode(deps, source.nodeId);
  if (!node.credentialHash) throw new ApiError("conflict", `Node '${node.name}' has no enrolled agent`);
  checkCapacity(node, source);
  const now = deps.now();
  // The clone's disk carries the source's data, so it keeps the source's secrets (a catalog
  // app's generated database password is in its volumes); it gets its own webhook secret.
  const secrets = await appSecrets(deps, source);
  const row: AppRow = {
    ...source,
    id: newId("app"),
    name: body.name,
    domain: body.domain ?? `${body.name}.${appsConfig(deps).domain}`,
    status: "deploying",
    vmid: null,
    address: null,
    secretsBox: await seal(deps.secretKey, secrets),
    webhookSecretBox: await seal(deps.secretKey, randomSecret(24)),
    commit: source.commit,
    lastJobId: null,
    lastError: null,
    createdAt: now,
    updatedAt: now,
  };
  const portNames = (await portsOf(deps, source.id)).map((p) => p.name);
  return insertAndDeploy(deps, row, portNames, origin, { mode: "clone", cloneFrom: source.vmid });
}
