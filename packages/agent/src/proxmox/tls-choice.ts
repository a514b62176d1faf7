import { X509Certificate } from "node:crypto";
import { rootCertificates } from "node:tls";

/** How to verify a pveproxy certificate that is not the cluster CA's (see PveTls). */
export type TlsChoice =
  | { mode: "name"; serverName: string; reason: string }
  | { mode: "pin"; fingerprint: string; reason: string };

const ROOTS = rootCertificates.map((pem) => new X509Certificate(pem));

function certificates(pem: string): X509Certificate[] {
  return (pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? []).map(
    (p) => new X509Certificate(p),
  );
}

/** Whether the chain (leaf first, as pveproxy-ssl.pem holds it) ends at a public root. */
function chainsToPublicRoot(chain: X509Certificate[]): boolean {
  for (let i = 0; i < chain.length; i++) {
    const cert = chain[i]!;
    const root = ROOTS.find((r) => cert.checkIssued(r) && cert.verify(r.publicKey));
    if (root) return true;
    const next = chain[i + 1];
    if (!next || !cert.checkIssued(next) || !cert.verify(next.publicKey)) return false;
  }
  return false;
}

/**
 * The installer's choice for a host with its own pveproxy certificate: one from a public CA
 * (ACME: Let's Encrypt) is verified by name against the public roots, which survives its
 * renewals; any other (self-made, an internal CA) is pinned by its SHA-256 fingerprint, which
 * has to be given again when the certificate changes.
 */
export function tlsChoiceFor(pem: string): TlsChoice {
  const chain = certificates(pem);
  const leaf = chain[0];
  if (!leaf) throw new Error("no certificate in the file");
  const dns = (leaf.subjectAltName ?? "")
    .split(/,\s*/)
    .filter((s) => s.startsWith("DNS:"))
    .map((s) => s.slice(4))
    .find((n) => !n.startsWith("*."));
  if (dns && chainsToPublicRoot(chain))
    return {
      mode: "name",
      serverName: dns,
      reason: `issued for ${dns} by a public CA (${leaf.issuer.split("\n").find((l) => l.startsWith("O=")) ?? "?"})`,
    };
  return {
    mode: "pin",
    fingerprint: leaf.fingerprint256,
    reason:
      "not from a public CA: pinned by its SHA-256 fingerprint (give it again after the certificate changes)",
  };
}
