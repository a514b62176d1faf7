// A deploy whose guest command fails with stderr that echoes the app's secrets, through the real
// job runner and journal: the job's error, its events, the journal and the agent's log carry
// them masked, never in clear.
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import type { Sim } from "@pylon/pve-sim";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { JobRunner, type OutgoingFrame } from "../../jobs/runner.ts";
import { MASK } from "../../jobs/secret-mask.ts";
import { Journal } from "../../journal/journal.ts";
import { createLogger } from "../../log.ts";
import { caddyInstalled, startCaddy, type TestCaddy } from "../../routes/testing.ts";
import type { CommandRunner } from "../../runners/types.ts";
import { clientFor, startTestSim } from "../../testing/sim.ts";
import { type AppJobDeps, configureAppJobs } from "./deps.ts";
import { composeDeploy, testDeps } from "./testing.ts";

const SECRET = "pa55-Secret-value-4d1a";
const CATALOG_PASSWORD = "generated-db-password-90be";
const DEPLOY_KEY_LINE = "b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtz";
const DEPLOY_KEY = `-----BEGIN OPENSSH PRIVATE KEY-----\n${DEPLOY_KEY_LINE}\n-----END OPENSSH PRIVATE KEY-----\n`;

let sim: Sim;
let caddy: TestCaddy;
let deps: AppJobDeps & { cleanup(): Promise<void> };

beforeAll(async () => {
  [sim, caddy] = await Promise.all([startTestSim(), startCaddy()]);
  deps = await testDeps(sim, caddy);
  // `docker compose pull` fails in the guest, and its stderr echoes what it was given (as
  // a registry login or a database client does): a real command run through the real runner.
  deps.wrapRunner = (_guest, inner): CommandRunner => ({
    push: (source, path, mode) => inner.push(source, path, mode),
    run(argv, opts) {
      if (!argv.includes("pull")) return inner.run(argv, opts);
      return inner.run(
        [
          "sh",
          "-c",
          'echo "pulling with token $1" ; echo "error: login as db:$2 failed; key $3 rejected" >&2; exit 1',
          "sh",
          SECRET,
          CATALOG_PASSWORD,
          DEPLOY_KEY_LINE,
        ],
        opts,
      );
    },
  });
  configureAppJobs(deps);
}, 60_000);
afterAll(async () => {
  configureAppJobs(undefined);
  await Promise.all([sim?.stop(), caddy?.stop(), deps?.cleanup()]);
});

/** Every file under a directory, as text. */
async function allText(dir: string): Promise<string> {
  const names = await readdir(dir, { recursive: true, withFileTypes: true });
  const files = names.filter((d) => d.isFile()).map((d) => join(d.parentPath, d.name));
  return (await Promise.all(files.map((f) => readFile(f, "utf8")))).join("\n");
}

describe.skipIf(!caddyInstalled())("secrets in a failed guest command's output", { timeout: 60_000 }, () => {
  it("are masked in the job's error, its events, the journal and the agent's log", async () => {
    const logLines: string[] = [];
    const log = createLogger("debug", (line) => logLines.push(line));
    const sent: OutgoingFrame[] = [];
    const journal = await Journal.open(deps.stateDir, { log });
    const runner = new JobRunner({
      journal,
      pve: clientFor(sim),
      nodeName: sim.node,
      log,
      send: (f) => {
        sent.push(f);
        return true;
      },
      maxConcurrentJobs: 4,
    });
    const params = {
      ...composeDeploy("leaky", 8630),
      secrets: { API_TOKEN: SECRET },
      deployKey: DEPLOY_KEY,
      mask: [CATALOG_PASSWORD],
    };
    await runner.offer({ v: 1, type: "offer", jobId: "job_leaky", kind: "app.deploy", params, attempt: 1 });
    let result: Extract<OutgoingFrame, { type: "event" }>["event"] | undefined;
    for (let i = 0; i < 1200 && !result; i++) {
      for (const f of sent) if (f.type === "event" && f.event.kind === "result") result = f.event;
      await new Promise((r) => setTimeout(r, 50));
    }
    await runner.stop(0);
    await journal.close();

    // The failure is the command's own text, with the secrets masked.
    expect(result).toMatchObject({ status: "failed", error: { step: "build" } });
    const error = (result as { error: { message: string } }).error.message;
    expect(error).toContain(`error: login as db:${MASK} failed; key ${MASK} rejected`);
    const everything = [JSON.stringify(sent), await allText(deps.stateDir), logLines.join("\n")].join("\n");
    for (const secret of [SECRET, CATALOG_PASSWORD, DEPLOY_KEY_LINE])
      expect(everything).not.toContain(secret);
    // The live output of the command was shown, masked too.
    expect(JSON.stringify(sent)).toContain(`pulling with token ${MASK}`);
  });
});
