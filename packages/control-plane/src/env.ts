import type { NodeRow } from "./db/schema/index.ts";
import type { AppDeps } from "./deps.ts";
import type { Access, Principal } from "./services/principal.ts";

/** What one request carries through the middleware chain. */
export interface AppEnv {
  Variables: {
    deps: AppDeps;
    requestId: string;
    principal: Principal | null;
    /** Set for mutating routes; the audit middleware writes it once the answer is known. */
    audit: { action: string; target: string | null } | null;
    access: Access | null;
    /** The node an agent's credential belongs to (agent endpoints only). */
    agentNode: NodeRow;
  };
}
