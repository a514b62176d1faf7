// PVE runs `ssh-keygen -l -f` on every key line; a line is good when its base64 blob starts
// with the same key type string, which is what ssh-keygen checks first.

const TYPES =
  /^(ssh-rsa|ssh-ed25519|ssh-dss|ecdsa-sha2-nistp(?:256|384|521)|sk-ssh-ed25519@openssh\.com|sk-ecdsa-sha2-nistp256@openssh\.com)$/;

/** Whether one OpenSSH public key line is valid. */
export function validKeyLine(line: string): boolean {
  const m = /^(?:\S+\s+)?(\S+)\s+([A-Za-z0-9+/]+={0,2})(?:\s.*)?$/.exec(line.trim());
  if (!m || !TYPES.test(m[1]!)) return false;
  const blob = Buffer.from(m[2]!, "base64");
  if (blob.length < 8) return false;
  const len = blob.readUInt32BE(0);
  return blob.subarray(4, 4 + len).toString("latin1") === m[1];
}

/** The key lines of a text (empty and comment lines skipped). */
export function keyLines(text: string): string[] {
  return text
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith("#"));
}

/** Throws PVE's error unless every line is a valid key. */
export function validateKeys(text: string): void {
  for (const line of keyLines(text))
    if (!validKeyLine(line)) throw new Error("SSH public key validation error\n");
}
