import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { randomSecret } from "../lib/crypto.ts";

/** Returns PYLON_SECRET_KEY, or the key kept in the data dir (made on first start, mode 0600). */
export function loadSecretKey(
  fromEnv: string | undefined,
  dataDir: string,
): { key: string; created: boolean } {
  if (fromEnv) return { key: fromEnv, created: false };
  const file = join(dataDir, "secret.key");
  if (existsSync(file)) return { key: readFileSync(file, "utf8").trim(), created: false };
  mkdirSync(dataDir, { recursive: true });
  const key = randomSecret(32);
  try {
    writeFileSync(file, `${key}\n`, { mode: 0o600, flag: "wx" });
  } catch (err) {
    // Another process starting at the same moment wrote it first: use theirs.
    if ((err as NodeJS.ErrnoException).code === "EEXIST")
      return { key: readFileSync(file, "utf8").trim(), created: false };
    throw err;
  }
  chmodSync(file, 0o600);
  return { key, created: true };
}
