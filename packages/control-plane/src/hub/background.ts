import type { Logger } from "../lib/logger.ts";

/**
 * Runs background work (a timer's, a change's) so that it never rejects: a failure — a
 * database that is locked, full or gone for a moment — is logged and reported as `false`, for
 * the caller to try again later. Unhandled, such a rejection ends a Node process (issue 10).
 */
export async function settle(
  logger: Logger,
  what: string,
  work: () => Promise<unknown>,
  fields: Record<string, unknown> = {},
): Promise<boolean> {
  try {
    await work();
    return true;
  } catch (err) {
    logger.warn(`${what} failed; will try again`, { ...fields, error: String(err) });
    return false;
  }
}
