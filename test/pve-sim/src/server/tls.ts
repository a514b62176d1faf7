import { execFile } from "node:child_process";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";

const run = promisify(execFile);

/** The generated CA and server certificate files. */
export interface TlsFiles {
  caCertPath: string;
  caCertPem: string;
  key: string;
  cert: string;
}

/**
 * Generates a cluster CA (like /etc/pve/pve-root-ca.pem) and a node certificate for
 * 127.0.0.1/localhost signed by it, with Debian's openssl (argv arrays, no shell).
 */
export async function generateTls(dir: string, node: string): Promise<TlsFiles> {
  const caKey = join(dir, "pve-root-ca.key");
  const caCert = join(dir, "pve-root-ca.pem");
  const key = join(dir, "pve-ssl.key");
  const csr = join(dir, "pve-ssl.csr");
  const cert = join(dir, "pve-ssl.pem");
  const ext = join(dir, "pve-ssl.ext");
  const ec = ["-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1", "-nodes"];
  await run("openssl", [
    "req",
    "-x509",
    ...ec,
    "-keyout",
    caKey,
    "-out",
    caCert,
    "-days",
    "3650",
    "-subj",
    "/CN=Proxmox Virtual Environment/OU=pve-sim/O=PVE Cloud Infrastructure",
    "-addext",
    "basicConstraints=critical,CA:TRUE",
    "-addext",
    "keyUsage=critical,keyCertSign,cRLSign",
  ]);
  await run("openssl", [
    "req",
    "-new",
    ...ec,
    "-keyout",
    key,
    "-out",
    csr,
    "-subj",
    `/OU=PVE Cluster Node/O=Proxmox Virtual Environment/CN=${node}.local`,
  ]);
  await writeFile(
    ext,
    [
      "basicConstraints=CA:FALSE",
      "keyUsage=digitalSignature,keyEncipherment",
      "extendedKeyUsage=serverAuth",
      `subjectAltName=IP:127.0.0.1,DNS:localhost,DNS:${node},DNS:${node}.local`,
      "",
    ].join("\n"),
  );
  await run("openssl", [
    "x509",
    "-req",
    "-in",
    csr,
    "-CA",
    caCert,
    "-CAkey",
    caKey,
    "-CAcreateserial",
    "-out",
    cert,
    "-days",
    "730",
    "-sha256",
    "-extfile",
    ext,
  ]);
  return {
    caCertPath: caCert,
    caCertPem: await readFile(caCert, "utf8"),
    key: await readFile(key, "utf8"),
    cert: await readFile(cert, "utf8"),
  };
}
