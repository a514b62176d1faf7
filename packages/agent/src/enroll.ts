import { readFile } from "node:fs/promises";
import { dirname, isAbsolute, resolve } from "node:path";
import { z } from "zod";
import { type ConfigFile, parseConfig } from "./config.ts";
import { CredentialStore } from "./credential.ts";
import type { Logger } from "./log.ts";
import { PveClient } from "./proxmox/client.ts";
import { pveTlsFromConfig } from "./proxmox/tls.ts";
import { errorMessage } from "./util/errors.ts";
import { writeFileAtomic } from "./util/files.ts";
import { postJson } from "./util/http.ts";
import { AGENT_VERSION } from "./version.ts";

export interface EnrollOptions {
  url: string;
  token: string;
  configPath: string;
  nodeName?: string;
  /** CA for the control plane (copied path is stored in the config as given). */
  caFile?: string;
  pveUrl?: string;
  pveTokenId: string;
  pveTokenSecretFile?: string;
  pveCaFile?: string;
  /** Pin the API certificate by fingerprint (a custom certificate). */
  pveFingerprint?: string;
  /** Verify the API certificate by this name against the public roots (an ACME certificate). */
  pveServerName?: string;
  log: Logger;
}

const enrollAnswer = z.object({
  nodeId: z.string().min(1),
  credential: z.string().min(1),
  credentialId: z.string().min(1),
});
const errorAnswer = z.object({ error: z.object({ code: z.string(), message: z.string() }) });

/** The PVE version to report, or null if the API is not reachable with this token yet. */
async function readPveVersion(opts: EnrollOptions, base: string, log: Logger): Promise<string | null> {
  const abs = (p: string) => (isAbsolute(p) ? p : resolve(base, p));
  try {
    const secret = (await readFile(abs(opts.pveTokenSecretFile ?? "pve-token"), "utf8")).trim();
    const caFile = opts.pveCaFile ?? (opts.pveServerName ? "system" : "/etc/pve/pve-root-ca.pem");
    const pve = new PveClient({
      url: opts.pveUrl ?? "https://127.0.0.1:8006",
      tokenId: opts.pveTokenId,
      tokenSecret: secret,
      tls: await pveTlsFromConfig({
        caFile: caFile === "system" ? caFile : abs(caFile),
        fingerprint: opts.pveFingerprint,
        serverName: opts.pveServerName,
      }),
    });
    return (await pve.version()).version;
  } catch (err) {
    log.warn("cannot read the Proxmox version with the configured token; enrolling without it", {
      err: errorMessage(err),
    });
    return null;
  }
}

/**
 * Exchanges a one-time enrollment token for the long-lived agent credential, then writes the
 * credential (0600) and the config (0600). Relative paths are relative to the config's folder.
 */
export async function enroll(opts: EnrollOptions): Promise<{ nodeId: string; credentialId: string }> {
  const base = dirname(resolve(opts.configPath));
  const file: ConfigFile = {
    controlPlaneUrl: opts.url,
    ...(opts.caFile ? { caFile: opts.caFile } : {}),
    ...(opts.nodeName ? { nodeName: opts.nodeName } : {}),
    pve: {
      tokenId: opts.pveTokenId,
      ...(opts.pveUrl ? { url: opts.pveUrl } : {}),
      ...(opts.pveTokenSecretFile ? { tokenSecretFile: opts.pveTokenSecretFile } : {}),
      ...(opts.pveCaFile ? { caFile: opts.pveCaFile } : opts.pveServerName ? { caFile: "system" } : {}),
      ...(opts.pveFingerprint ? { fingerprint: opts.pveFingerprint } : {}),
      ...(opts.pveServerName ? { serverName: opts.pveServerName } : {}),
    },
  };
  // Validate before talking to anyone: a typo should not burn the one-time token.
  const config = parseConfig(file, opts.configPath);
  const pveVersion = await readPveVersion(opts, base, opts.log);
  const ca = config.caFile ? await readFile(config.caFile) : undefined;
  const endpoint = new URL("agent/v1/enroll", opts.url.endsWith("/") ? opts.url : `${opts.url}/`).toString();
  const { status, text } = await postJson(
    endpoint,
    { token: opts.token, agentVersion: AGENT_VERSION, nodeName: config.nodeName, pveVersion },
    { ca },
  );
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    raw = undefined;
  }
  if (status !== 200) {
    const err = errorAnswer.safeParse(raw);
    const why = err.success ? `${err.data.error.message} (${err.data.error.code})` : `HTTP ${status}`;
    throw new Error(`enrollment refused by ${endpoint}: ${why}`);
  }
  const answer = enrollAnswer.safeParse(raw);
  if (!answer.success) throw new Error(`enrollment answer from ${endpoint} is not what the protocol says`);
  await new CredentialStore(config.credentialFile).write(answer.data);
  await writeFileAtomic(opts.configPath, `${JSON.stringify(file, null, 2)}\n`, 0o600);
  return { nodeId: answer.data.nodeId, credentialId: answer.data.credentialId };
}
