import { createCipheriv, createDecipheriv, randomBytes } from "node:crypto";
import { constants } from "node:fs";
import { open, readFile } from "node:fs/promises";
import { join } from "node:path";
import { errnoCode } from "../util/errors.ts";
import { fsyncDir } from "../util/files.ts";

// Secret-bearing job params (an app's secret variables, a Git deploy key, a rendered compose
// file with generated passwords) must survive an agent restart, or an interrupted deploy could
// not resume, but they must not sit in the journal in clear: the journal is the file people
// copy into bug reports and backups. So they are split off and sealed with AES-256-GCM under
// a random key kept beside it in `journal.key` (0600, created on first use). That protects
// against the journal leaking on its own; root on the host can read both files, as it can
// read the agent's credential. Losing the key only fails the interrupted jobs that carried
// secrets, with a message asking for a redeploy (the control plane still holds the secrets).

const KEY_FILE = "journal.key";
const KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;
const VERSION = "v1";

/** Where each job kind carries secrets in its params (paths into the params object). */
const SECRET_PATHS: Record<string, readonly (readonly string[])[]> = {
  "app.deploy": [["secrets"], ["deployKey"], ["source", "compose"], ["mask"]],
};

type Json = Record<string, unknown>;

const isObject = (v: unknown): v is Json => typeof v === "object" && v !== null && !Array.isArray(v);

/**
 * Splits a job's params into what may be written in clear and the secret values (keyed by
 * their dotted path), or no secret part when the kind carries none or this job has none.
 */
export function splitSecrets(kind: string, params: unknown): { clear: unknown; secret?: Json } {
  const paths = SECRET_PATHS[kind];
  if (!paths || !isObject(params)) return { clear: params };
  const clear: Json = structuredClone(params);
  const secret: Json = {};
  for (const path of paths) {
    const parent = path.slice(0, -1).reduce<unknown>((o, k) => (isObject(o) ? o[k] : undefined), clear);
    const leaf = path.at(-1);
    if (!isObject(parent) || leaf === undefined || !(leaf in parent)) continue;
    secret[path.join(".")] = parent[leaf];
    delete parent[leaf];
  }
  return Object.keys(secret).length ? { clear, secret } : { clear: params };
}

/** Puts the secret values split off by {@link splitSecrets} back into the clear params. */
export function mergeSecrets(kind: string, clear: unknown, secret: Json): unknown {
  const paths = SECRET_PATHS[kind] ?? [];
  if (!isObject(clear)) return clear;
  const params: Json = structuredClone(clear);
  for (const path of paths) {
    const name = path.join(".");
    if (!(name in secret)) continue;
    const parent = path.slice(0, -1).reduce<unknown>((o, k) => (isObject(o) ? o[k] : undefined), params);
    const leaf = path.at(-1);
    if (isObject(parent) && leaf !== undefined) parent[leaf] = secret[name];
  }
  return params;
}

/** Seals a JSON value for one job (the job id is authenticated with it, so blobs cannot be swapped). */
export function seal(key: Buffer, jobId: string, value: unknown): string {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv("aes-256-gcm", key, iv);
  cipher.setAAD(Buffer.from(jobId, "utf8"));
  const body = Buffer.concat([cipher.update(JSON.stringify(value), "utf8"), cipher.final()]);
  return `${VERSION}:${Buffer.concat([iv, cipher.getAuthTag(), body]).toString("base64")}`;
}

/** Opens what {@link seal} made; throws when the key or the job id does not match. */
export function unseal(key: Buffer, jobId: string, text: string): unknown {
  if (!text.startsWith(`${VERSION}:`)) throw new Error("unknown sealing format");
  const raw = Buffer.from(text.slice(VERSION.length + 1), "base64");
  if (raw.length < IV_BYTES + TAG_BYTES) throw new Error("sealed value is too short");
  const decipher = createDecipheriv("aes-256-gcm", key, raw.subarray(0, IV_BYTES));
  decipher.setAAD(Buffer.from(jobId, "utf8"));
  decipher.setAuthTag(raw.subarray(IV_BYTES, IV_BYTES + TAG_BYTES));
  const body = Buffer.concat([decipher.update(raw.subarray(IV_BYTES + TAG_BYTES)), decipher.final()]);
  return JSON.parse(body.toString("utf8"));
}

/** Reads the journal key of `dir`; undefined when there is none yet. */
export async function readJournalKey(dir: string): Promise<Buffer | undefined> {
  let key: Buffer;
  try {
    key = await readFile(join(dir, KEY_FILE));
  } catch (err) {
    if (errnoCode(err) === "ENOENT") return undefined;
    throw err;
  }
  if (key.length !== KEY_BYTES)
    throw new Error(
      `${join(dir, KEY_FILE)} is not a journal key (${key.length} bytes, expected ${KEY_BYTES})`,
    );
  return key;
}

/** The journal key of `dir`, created (32 random bytes, 0600, fsynced) when there is none. */
export async function journalKey(dir: string): Promise<Buffer> {
  const existing = await readJournalKey(dir);
  if (existing) return existing;
  const key = randomBytes(KEY_BYTES);
  const path = join(dir, KEY_FILE);
  let fh: Awaited<ReturnType<typeof open>>;
  try {
    fh = await open(path, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o600);
  } catch (err) {
    // Another opener made it first: use theirs.
    if (errnoCode(err) === "EEXIST") return (await readJournalKey(dir)) ?? key;
    throw err;
  }
  try {
    await fh.chmod(0o600);
    await fh.writeFile(key);
    await fh.sync();
  } finally {
    await fh.close();
  }
  await fsyncDir(dir);
  return key;
}
