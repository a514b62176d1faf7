import { readFile } from "node:fs/promises";
import https from "node:https";
import type { Duplex } from "node:stream";
import tls from "node:tls";

/**
 * How the agent verifies the Proxmox API's certificate. By default against the cluster CA
 * (/etc/pve/pve-root-ca.pem), which signs pveproxy's own certificate. A host with a custom or
 * ACME certificate (/etc/pve/local/pveproxy-ssl.pem) is verified either by a pinned SHA-256
 * fingerprint of that certificate, or against a CA bundle (the system's public roots for ACME)
 * under the name the certificate was issued for (`serverName`), as the API is reached on
 * 127.0.0.1. Verification is never turned off.
 */
export interface PveTls {
  /** PEM CA bundle; undefined = Node's public roots. */
  ca?: string | Buffer;
  /** SHA-256 fingerprint of the server certificate (`AB:CD:…` or hex); replaces CA verification. */
  fingerprint256?: string;
  /** The name the certificate must be valid for (default: the URL's host). */
  servername?: string;
}

/** `AB:CD:…` in upper case, from any hex spelling of a SHA-256 fingerprint; undefined if malformed. */
export function normalizeFingerprint(text: string): string | undefined {
  const hex = text
    .replace(/^sha256[:=]/i, "")
    .replace(/[:\s]/g, "")
    .toUpperCase();
  if (!/^[0-9A-F]{64}$/.test(hex)) return undefined;
  return hex.match(/../g)?.join(":");
}

/** The TLS settings of a config's `pve` section (`caFile: "system"` = the public roots). */
export async function pveTlsFromConfig(pve: {
  caFile: string;
  fingerprint?: string | undefined;
  serverName?: string | undefined;
}): Promise<PveTls> {
  if (pve.fingerprint) {
    const fp = normalizeFingerprint(pve.fingerprint);
    if (!fp) throw new Error(`pve.fingerprint is not a SHA-256 fingerprint: ${pve.fingerprint}`);
    return { fingerprint256: fp };
  }
  const ca = pve.caFile === "system" ? undefined : await readFile(pve.caFile);
  return { ...(ca ? { ca } : {}), ...(pve.serverName ? { servername: pve.serverName } : {}) };
}

/**
 * An https.Agent that hands a socket to a request only once its certificate is verified: by
 * the CA chain and name (Node's own checks), or, with a pinned fingerprint, by that exact
 * certificate. Nothing (the API token included) is written before that.
 */
export class PveTlsAgent extends https.Agent {
  readonly #tls: PveTls;

  constructor(opts: https.AgentOptions, pveTls: PveTls) {
    super({
      ...opts,
      ...(pveTls.fingerprint256 ? { rejectUnauthorized: false } : { ca: pveTls.ca }),
      ...(pveTls.servername ? { servername: pveTls.servername } : {}),
    });
    this.#tls = pveTls;
  }

  override createConnection(
    options: https.RequestOptions,
    callback?: (err: Error | null, socket: Duplex) => void,
  ): Duplex | null | undefined {
    const pin = this.#tls.fingerprint256;
    const name = this.#tls.servername;
    const socket = tls.connect({
      ...(options as tls.ConnectionOptions),
      ...(name
        ? { servername: name, checkServerIdentity: (_h, cert) => tls.checkServerIdentity(name, cert) }
        : {}),
    });
    const fail = (err: Error) => {
      socket.destroy();
      callback?.(err, socket);
    };
    socket.once("error", fail);
    socket.once("secureConnect", () => {
      socket.removeListener("error", fail);
      if (pin) {
        const got = socket.getPeerCertificate().fingerprint256;
        if (got !== pin)
          return fail(
            new Error(`the certificate's SHA-256 fingerprint is ${got ?? "missing"}, not the pinned ${pin}`),
          );
      }
      callback?.(null, socket);
    });
    return undefined;
  }
}
