import { readFile } from "node:fs/promises";
import { parseArgs } from "node:util";
import { startAgent } from "./agent.ts";
import { DEFAULT_CONFIG_PATH, loadConfig } from "./config.ts";
import { enroll } from "./enroll.ts";
import { createLogger } from "./log.ts";
import { PLAN_USAGE, planCommand } from "./plan-command.ts";
import { tlsChoiceFor } from "./proxmox/tls-choice.ts";
import { errorMessage } from "./util/errors.ts";
import { AGENT_VERSION } from "./version.ts";

const USAGE = `pylon-agent ${AGENT_VERSION}
  run    [--config FILE]        run the agent (default command; config default ${DEFAULT_CONFIG_PATH})
  enroll --url URL --token T    exchange an enrollment token for the agent credential and write the config
         [--config FILE] [--ca-file PEM] [--node-name NAME]
         --pve-token-id USER@REALM!ID [--pve-token-secret-file F] [--pve-url URL] [--pve-ca-file PEM]
         [--pve-fingerprint SHA256 | --pve-server-name NAME]
         (the token may come from PYLON_AGENT_ENROLL_TOKEN instead of argv)
  pve-tls PEM                   how to verify a custom pveproxy certificate (JSON: by name or pinned)
${PLAN_USAGE}
  version`;

/** `run`: start the agent and stop it cleanly on SIGTERM/SIGINT. */
async function run(configPath: string, env: NodeJS.ProcessEnv): Promise<void> {
  const config = await loadConfig(configPath, env);
  const log = createLogger(config.logLevel);
  log.info("pylon-agent starting", {
    version: AGENT_VERSION,
    node: process.version,
    nodeName: config.nodeName,
    controlPlane: config.controlPlaneUrl,
  });
  const agent = await startAgent(config, { log });
  const onSignal = (signal: string) => {
    log.info("signal received", { signal });
    agent.stop().then(
      () => process.exit(0),
      (err) => {
        log.error("unclean stop", { err: errorMessage(err) });
        process.exit(1);
      },
    );
  };
  process.once("SIGTERM", () => onSignal("SIGTERM"));
  process.once("SIGINT", () => onSignal("SIGINT"));
}

/** Parses argv and runs the command. */
export async function main(argv: string[], env: NodeJS.ProcessEnv): Promise<void> {
  const command = argv[0] && !argv[0].startsWith("-") ? argv[0] : "run";
  const rest = command === argv[0] ? argv.slice(1) : argv;
  if (command === "plan") {
    const { values, positionals } = parseArgs({
      args: rest,
      allowPositionals: true,
      options: {
        json: { type: "boolean" },
        source: { type: "string" },
        port: { type: "string" },
        install: { type: "string" },
        build: { type: "string" },
        start: { type: "string" },
        node: { type: "string" },
        python: { type: "string" },
        go: { type: "string" },
        service: { type: "string" },
      },
      strict: true,
    });
    return planCommand(positionals[0], values, (s) => process.stdout.write(s));
  }
  const { values, positionals } = parseArgs({
    args: rest,
    allowPositionals: command === "pve-tls",
    options: {
      config: { type: "string", default: DEFAULT_CONFIG_PATH },
      url: { type: "string" },
      token: { type: "string" },
      "ca-file": { type: "string" },
      "node-name": { type: "string" },
      "pve-url": { type: "string" },
      "pve-token-id": { type: "string" },
      "pve-token-secret-file": { type: "string" },
      "pve-ca-file": { type: "string" },
      "pve-fingerprint": { type: "string" },
      "pve-server-name": { type: "string" },
      help: { type: "boolean" },
    },
    strict: true,
  });
  if (values.help || command === "help") return void process.stdout.write(`${USAGE}\n`);
  if (command === "version") return void process.stdout.write(`${AGENT_VERSION}\n`);
  if (command === "run") return run(values.config, env);
  if (command === "pve-tls") {
    if (!positionals[0]) throw new Error("pve-tls: the certificate file (PEM) is required");
    return void process.stdout.write(
      `${JSON.stringify(tlsChoiceFor(await readFile(positionals[0], "utf8")))}\n`,
    );
  }
  if (command !== "enroll") throw new Error(`unknown command "${command}"\n${USAGE}`);
  const token = values.token ?? env.PYLON_AGENT_ENROLL_TOKEN;
  if (!values.url) throw new Error("enroll: --url is required");
  if (!token) throw new Error("enroll: --token (or PYLON_AGENT_ENROLL_TOKEN) is required");
  if (!values["pve-token-id"]) throw new Error("enroll: --pve-token-id is required");
  const log = createLogger("info");
  const { nodeId, credentialId } = await enroll({
    url: values.url,
    token,
    configPath: values.config,
    caFile: values["ca-file"],
    nodeName: values["node-name"],
    pveUrl: values["pve-url"],
    pveTokenId: values["pve-token-id"],
    pveTokenSecretFile: values["pve-token-secret-file"],
    pveCaFile: values["pve-ca-file"],
    pveFingerprint: values["pve-fingerprint"],
    pveServerName: values["pve-server-name"],
    log,
  });
  log.info("enrolled", { nodeId, credentialId, config: values.config });
}

main(process.argv.slice(2), process.env).catch((err) => {
  process.stdout.write(
    `${JSON.stringify({ time: new Date().toISOString(), level: "error", msg: errorMessage(err) })}\n`,
  );
  process.exit(1);
});
