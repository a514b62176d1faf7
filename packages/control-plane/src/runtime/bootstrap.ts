import type { AppDeps } from "../deps.ts";
import { issueSetupToken, setupNeeded } from "../services/setup.ts";
import { createUser } from "../services/users.ts";

type Deps = Pick<AppDeps, "db" | "now" | "logger">;

/**
 * First start: with PYLON_ADMIN_EMAIL/PASSWORD the admin is created non-interactively; without,
 * a one-time setup link is printed (the secret sits in the URL fragment, so it never reaches a
 * server log). Returns the line to print, if any.
 */
export async function bootstrapAdmin(
  deps: Deps,
  opts: { email?: string; password?: string; name: string; baseUrl: string },
): Promise<string | null> {
  if (!(await setupNeeded(deps))) return null;
  if (opts.email && opts.password) {
    try {
      await createUser(deps, {
        email: opts.email.toLowerCase(),
        name: opts.name,
        role: "admin",
        password: opts.password,
      });
      deps.logger.info("created the admin account from PYLON_ADMIN_EMAIL", { email: opts.email });
    } catch (err) {
      // Another process bootstrapping the same database won the race.
      if (await setupNeeded(deps)) throw err;
    }
    return null;
  }
  const token = await issueSetupToken(deps);
  return `No account exists yet. Open this one-time link (valid for 1 hour) to create the admin:\n\n  ${opts.baseUrl}/setup#token=${token}\n`;
}
