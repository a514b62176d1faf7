import { readFile } from "node:fs/promises";
import { z } from "zod";
import { writeFileAtomic } from "./util/files.ts";

/** What enrollment returns and the agent keeps (mode 0600). */
export const credentialFileSchema = z.object({
  nodeId: z.string().min(1),
  credentialId: z.string().min(1),
  credential: z.string().min(1),
});
export type StoredCredential = z.infer<typeof credentialFileSchema>;

/** The agent credential on disk; rotation replaces it atomically. */
export class CredentialStore {
  #cached: StoredCredential | undefined;
  constructor(readonly path: string) {}

  /** Reads the stored credential (cached after the first read or write). */
  async read(): Promise<StoredCredential> {
    if (this.#cached) return this.#cached;
    let text: string;
    try {
      text = await readFile(this.path, "utf8");
    } catch {
      throw new Error(
        `no agent credential at ${this.path}: enroll first (pylon-agent enroll --url … --token …)`,
      );
    }
    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch {
      throw new Error(`agent credential file ${this.path} is not JSON`);
    }
    const parsed = credentialFileSchema.safeParse(raw);
    if (!parsed.success) throw new Error(`agent credential file ${this.path} is malformed`);
    this.#cached = parsed.data;
    return parsed.data;
  }

  /** Stores a credential: temp file, fsync, rename, mode 0600. */
  async write(value: StoredCredential): Promise<void> {
    await writeFileAtomic(this.path, `${JSON.stringify(value)}\n`, 0o600);
    this.#cached = value;
  }
}
