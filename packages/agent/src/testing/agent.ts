import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import type { Sim } from "@pylon/pve-sim";
import { type RunningAgent, startAgent } from "../agent.ts";
import { parseConfig } from "../config.ts";
import { Backoff, type BackoffOptions } from "../connection/backoff.ts";
import { CredentialStore } from "../credential.ts";
import { createLogger, type Logger } from "../log.ts";

export interface TestAgent {
  agent: RunningAgent;
  dir: string;
  logs: string[];
  backoff: Backoff;
  /** Starts a fresh agent process-equivalent on the same dir (after stop()). */
  restart(): Promise<RunningAgent>;
  cleanup(): Promise<void>;
}

/** An agent configured against a fake control plane and a simulator, in a temp dir. */
export async function startTestAgent(
  sim: Sim,
  controlPlaneUrl: string,
  opts: { backoff?: BackoffOptions; credential?: string; extra?: Record<string, unknown> } = {},
): Promise<TestAgent> {
  const dir = await mkdtemp(join(tmpdir(), "pylon-agent-"));
  await writeFile(join(dir, "pve-token"), sim.token.secret, { mode: 0o600 });
  const configPath = join(dir, "agent.json");
  const config = parseConfig(
    {
      controlPlaneUrl,
      stateDir: "state",
      nodeName: sim.node,
      stopGraceMs: 2000,
      pve: { url: new URL(sim.apiUrl).origin, tokenId: sim.token.tokenId, caFile: sim.caCertPath },
      ...opts.extra,
    },
    configPath,
  );
  await new CredentialStore(config.credentialFile).write({
    nodeId: "node_1",
    credentialId: "c1",
    credential: opts.credential ?? "cred-1",
  });
  const logs: string[] = [];
  const log: Logger = createLogger("debug", (line) => {
    logs.push(line);
  });
  const backoff = new Backoff({ baseMs: 20, maxMs: 300, minUptimeMs: 60_000, ...opts.backoff });
  const t: TestAgent = {
    agent: await startAgent(config, { log, backoff }),
    dir,
    logs,
    backoff,
    async restart() {
      t.agent = await startAgent(config, { log, backoff });
      return t.agent;
    },
    async cleanup() {
      await t.agent.stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
  return t;
}
