import { base32, randomBytes } from "./crypto.ts";

/** A new random id with a type prefix, e.g. `usr_k3j…`. */
export function newId(prefix: string): string {
  return `${prefix}_${base32(randomBytes(10))}`;
}

/**
 * A new id that sorts by creation time (then randomly within a millisecond), for
 * append-only tables paged by id such as the audit log.
 */
export function newSortableId(prefix: string, now: number): string {
  return `${prefix}_${now.toString(36).padStart(10, "0")}${base32(randomBytes(6))}`;
}
