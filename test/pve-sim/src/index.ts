import { X509Certificate } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { createServer } from "node:https";
import type { AddressInfo } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { startControlServer } from "./control/server.ts";
import { attachGuestRuntime } from "./guests/runtime.ts";
import { resolveOptions, type SimOptions } from "./options.ts";
import { seed } from "./seed.ts";
import { apiHandler } from "./server/api.ts";
import { buildRouter } from "./server/routes.ts";
import { generateTls } from "./server/tls.ts";
import { AuthorizedKeys, generateKeyPair, startSshServer } from "./shell/ssh.ts";
import { World } from "./world.ts";

export type { FaultRule } from "./control/faults.ts";
export type { SimOptions } from "./options.ts";
export type { StorageSpec } from "./storage/storage.ts";
export type { World } from "./world.ts";

/** Directory of the `pct` executable that talks to a running simulator (needs PVE_SIM_CONTROL). */
export const pctBinDir = fileURLToPath(new URL("../bin", import.meta.url));

/** A running simulator and what a client needs to reach it. */
export interface Sim {
  /** https://127.0.0.1:PORT/api2/json */
  apiUrl: string;
  host: string;
  port: number;
  node: string;
  caCertPath: string;
  caCertPem: string;
  /** SHA-256 fingerprint (`AB:CD:…`) of the API's own certificate, as PVE's GUI shows it. */
  certFingerprint256: string;
  /** A root API token without privilege separation. */
  token: { tokenId: string; secret: string; header: string };
  rootPassword: string;
  /** Control API (fault injection, state inspection): http://127.0.0.1:PORT */
  controlUrl: string;
  /** The host shell over SSH (key auth only), if started. */
  ssh?: {
    host: string;
    port: number;
    user: string;
    privateKey: string;
    privateKeyPath: string;
    publicKey: string;
  };
  /** Put on PATH (with `env`) so `pct` reaches this simulator. */
  pctBinDir: string;
  /** Environment for bin/pct: PVE_SIM_CONTROL. */
  env: Record<string, string>;
  stateDir: string;
  /** The simulated node's state (for in-process tests). */
  world: World;
  /** Stops every server and process the simulator started. */
  stop(): Promise<void>;
}

/** Starts a simulated Proxmox VE 8.4 node on loopback. */
export async function startSimulator(options: SimOptions = {}): Promise<Sim> {
  const opts = resolveOptions(options);
  const ownDir = !opts.stateDir;
  const stateDir = opts.stateDir ?? (await mkdtemp(join(tmpdir(), "pve-sim-")));
  const world = new World(opts, stateDir);
  if (opts.seed) seed(world);
  const token = world.auth.addToken("root@pam!pylon", false);
  const tls = await generateTls(stateDir, opts.node);
  const api = createServer({ key: tls.key, cert: tls.cert }, apiHandler(world, buildRouter()));
  api.keepAliveTimeout = 5000;
  await new Promise<void>((resolve, reject) => {
    api.once("error", reject);
    api.listen(opts.apiPort, "127.0.0.1", () => resolve());
  });
  const port = (api.address() as AddressInfo).port;
  const control = await startControlServer(world, opts.controlPort);
  const controlUrl = `http://127.0.0.1:${(control.address() as AddressInfo).port}`;
  const env = { PVE_SIM_CONTROL: controlUrl };
  const runtime = attachGuestRuntime(world);
  let ssh: Sim["ssh"];
  let sshServer: { close: () => Promise<void> } | undefined;
  if (opts.ssh) {
    const hostKey = generateKeyPair("pve-sim host key");
    const client = generateKeyPair("pve-sim client");
    const keys = new AuthorizedKeys();
    keys.add(client.publicKey);
    const privateKeyPath = join(stateDir, "id_ed25519");
    await writeFile(privateKeyPath, client.privateKey, { mode: 0o600 });
    const started = await startSshServer(world, "127.0.0.1", opts.sshPort, hostKey.privateKey, keys, {
      env: {
        PATH: `${pctBinDir}:${dirname(process.execPath)}:/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin`,
        HOME: stateDir,
        LANG: "C.UTF-8",
        ...env,
      },
      cwd: stateDir,
      shell: ["/bin/bash"],
      description: "host shell",
    });
    sshServer = started;
    ssh = {
      host: "127.0.0.1",
      port: started.port,
      user: "root",
      privateKey: client.privateKey,
      privateKeyPath,
      publicKey: client.publicKey,
    };
  }
  let stopped = false;
  return {
    apiUrl: `https://127.0.0.1:${port}/api2/json`,
    host: "127.0.0.1",
    port,
    node: opts.node,
    caCertPath: tls.caCertPath,
    caCertPem: tls.caCertPem,
    certFingerprint256: new X509Certificate(tls.cert).fingerprint256,
    token: {
      tokenId: token.authid,
      secret: token.secret,
      header: `PVEAPIToken=${token.authid}=${token.secret}`,
    },
    rootPassword: opts.rootPassword,
    controlUrl,
    ssh,
    pctBinDir,
    env,
    stateDir,
    world,
    stop: async () => {
      if (stopped) return;
      stopped = true;
      await world.tasks.stopAll();
      await runtime.stop();
      for (const t of [...world.tracked]) await t.stop();
      world.tracked.clear();
      api.closeAllConnections();
      control.closeAllConnections();
      await Promise.all([
        new Promise<void>((r) => api.close(() => r())),
        new Promise<void>((r) => control.close(() => r())),
        sshServer?.close(),
      ]);
      if (ownDir) await rm(stateDir, { recursive: true, force: true });
    },
  };
}
