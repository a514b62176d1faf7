import { type SimOptions, startSimulator } from "./index.ts";
import { parseStorageSpec } from "./storage/storage.ts";

// `pnpm sim` prints what a client needs; `pnpm sim --json` prints it as one JSON line.
// Both keep running until SIGTERM/SIGINT, then stop every server and process cleanly.

function parseArgs(argv: string[]): { json: boolean; opts: SimOptions } {
  const opts: SimOptions = {};
  let json = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const next = (): string => argv[++i] ?? "";
    if (a === "--json") json = true;
    else if (a === "--node") opts.node = next();
    else if (a === "--clock-scale") opts.clockScale = Number(next());
    else if (a === "--auth-delay-ms") opts.auth401DelayMs = Number(next());
    else if (a === "--legacy-error-body") opts.legacyErrorBody = true;
    else if (a === "--port") opts.apiPort = Number(next());
    else if (a === "--control-port") opts.controlPort = Number(next());
    else if (a === "--ssh-port") opts.sshPort = Number(next());
    else if (a === "--state-dir") opts.stateDir = next();
    else if (a === "--no-ssh") opts.ssh = false;
    else if (a === "--pve-version") opts.pveVersion = next();
    else if (a === "--storage") opts.storages = [...(opts.storages ?? []), parseStorageSpec(next())];
  }
  // A demo wants realistic timing unless told otherwise.
  opts.clockScale ??= 1;
  return { json, opts };
}

const { json, opts } = parseArgs(process.argv.slice(2));
const sim = await startSimulator(opts);
const info = {
  apiUrl: sim.apiUrl,
  node: sim.node,
  caCertPath: sim.caCertPath,
  tokenId: sim.token.tokenId,
  tokenSecret: sim.token.secret,
  authorization: sim.token.header,
  rootPassword: sim.rootPassword,
  controlUrl: sim.controlUrl,
  ssh: sim.ssh
    ? { host: sim.ssh.host, port: sim.ssh.port, user: sim.ssh.user, privateKeyPath: sim.ssh.privateKeyPath }
    : null,
  pctBinDir: sim.pctBinDir,
  env: sim.env,
};
if (json) process.stdout.write(`${JSON.stringify(info)}\n`);
else {
  const lines = [
    "Proxmox VE simulator (PVE 8.4.5) is running.",
    `  API URL        ${info.apiUrl}`,
    `  node           ${info.node}`,
    `  CA certificate ${info.caCertPath}`,
    `  API token      ${info.tokenId}`,
    `  token secret   ${info.tokenSecret}`,
    `  header         Authorization: ${info.authorization}`,
    `  root password  ${info.rootPassword} (root@pam, for /access/ticket)`,
    `  control API    ${info.controlUrl}`,
    info.ssh
      ? `  host shell     ssh -i ${info.ssh.privateKeyPath} -p ${info.ssh.port} root@${info.ssh.host}`
      : "  host shell     (disabled)",
    `  pct            PATH=${info.pctBinDir}:$PATH PVE_SIM_CONTROL=${info.controlUrl} pct …`,
    "Stop with Ctrl-C.",
  ];
  process.stdout.write(`${lines.join("\n")}\n`);
}

let stopping = false;
const shutdown = (): void => {
  if (stopping) return;
  stopping = true;
  void sim.stop().then(() => process.exit(0));
};
process.on("SIGTERM", shutdown);
process.on("SIGINT", shutdown);
