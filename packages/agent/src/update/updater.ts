import { execFile } from "node:child_process";
import { createHash } from "node:crypto";
import { chmod, copyFile, link, readFile, rename, rm, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { promisify } from "node:util";
import { z } from "zod";
import type { Logger } from "../log.ts";
import { errnoCode, errorMessage } from "../util/errors.ts";
import { writeFileAtomic } from "../util/files.ts";
import { getBytes } from "../util/http.ts";

const run = promisify(execFile);

/**
 * The agent keeps itself current. On `update` it downloads the control plane's bundle,
 * checks its SHA-256 and that it runs and reports the announced version, keeps the running
 * bundle as `agent.mjs.previous`, renames the new one into place (atomic), records the update
 * in `<stateDir>/update.json` with a deadline, and exits for systemd to start the new one. The
 * new agent confirms once it is connected again (the marker goes); if it does not by the
 * deadline, it exits, and the unit's ExecStartPre (install/rollback.sh) puts the previous bundle
 * back, as it does for a new bundle that cannot even start. The previous agent, started again,
 * tells the control plane the update was rolled back.
 */
const markerSchema = z.object({
  from: z.string(),
  to: z.string(),
  /** Unix seconds (rollback.sh compares it with `date +%s`). */
  deadline: z.number().int(),
  rolledBack: z.boolean(),
});
type Marker = z.infer<typeof markerSchema>;

/** What the updater reports to the control plane (an `updating` frame). */
export interface UpdateReport {
  state: "downloading" | "restarting" | "failed" | "rolled_back";
  from: string;
  to: string;
  message?: string;
}

export interface UpdaterOptions {
  /** The bundle this agent runs from (replaced in place). */
  bundlePath: string;
  stateDir: string;
  controlPlaneUrl: string;
  /** CA of the control plane (the link's). */
  ca?: Buffer;
  version: string;
  confirmMs: number;
  log: Logger;
  report(r: UpdateReport): void;
  /** Stops the agent cleanly and exits the process (systemd starts it again). */
  restart(code: number): void;
}

export class AgentUpdater {
  readonly #o: UpdaterOptions;
  #busy = false;
  #pending: Marker | undefined;
  #timer: NodeJS.Timeout | undefined;

  constructor(opts: UpdaterOptions) {
    this.#o = opts;
  }

  get #marker(): string {
    return join(this.#o.stateDir, "update.json");
  }

  /**
   * At start: an update this version is the target of must be confirmed by the deadline
   * (else exit, and rollback.sh restores the previous bundle); a marker of an update to another
   * version means this is the previous agent after a rollback.
   */
  async start(): Promise<void> {
    let raw: unknown;
    try {
      raw = JSON.parse(await readFile(this.#marker, "utf8"));
    } catch (err) {
      if (errnoCode(err) !== "ENOENT")
        this.#o.log.warn("unreadable update marker", { err: errorMessage(err) });
      return;
    }
    const m = markerSchema.safeParse(raw);
    if (!m.success) return void (await rm(this.#marker, { force: true }));
    this.#pending = m.data;
    if (m.data.to !== this.#o.version) return;
    const left = m.data.deadline * 1000 - Date.now();
    this.#timer = setTimeout(
      () => {
        this.#o.log.error("this updated agent did not reconnect in time; exiting for the previous one", {
          version: this.#o.version,
        });
        this.#o.restart(1);
      },
      Math.max(0, left),
    );
    this.#timer.unref();
  }

  /** Connected to the control plane: confirms this update, or reports the rollback that brought us back. */
  async connected(): Promise<void> {
    const m = this.#pending;
    if (!m) return;
    this.#pending = undefined;
    if (this.#timer) clearTimeout(this.#timer);
    await rm(this.#marker, { force: true });
    if (m.to === this.#o.version) {
      this.#o.log.info("updated", { from: m.from, to: m.to });
      return;
    }
    this.#o.report({
      state: "rolled_back",
      from: this.#o.version,
      to: m.to,
      message: `agent ${m.to} did not reconnect within ${Math.round(this.#o.confirmMs / 1000)} s`,
    });
  }

  /** Runs an update to `version` (a second order while one runs is ignored). */
  async update(order: { version: string; sha256: string; url: string }): Promise<void> {
    if (this.#busy || this.#pending) return;
    this.#busy = true;
    const { bundlePath: bundle, version: from } = this.#o;
    const fail = (message: string) => {
      this.#o.log.error("agent update failed", { to: order.version, message });
      this.#o.report({ state: "failed", from, to: order.version, message });
    };
    // Still *.mjs: node runs a file as an ES module by its extension (`version` is run below).
    // Still *.mjs: node runs a file as an ES module by its extension (`version` is run below).
    const fresh = bundle.replace(/(\.mjs)?$/, ".next.mjs");
    try {
      this.#o.report({ state: "downloading", from, to: order.version });
      const url = new URL(order.url, this.#o.controlPlaneUrl).toString();
      const { status, body } = await getBytes(url, { ca: this.#o.ca, maxBytes: 64 * 2 ** 20 });
      if (status !== 200) return fail(`downloading ${url} answered HTTP ${status}`);
      const sha256 = createHash("sha256").update(body).digest("hex");
      if (sha256 !== order.sha256)
        return fail(
          `the downloaded bundle's SHA-256 is ${sha256}, not the announced ${order.sha256}; nothing was changed`,
        );
      await writeFile(fresh, body, { mode: 0o644 });
      await chmod(fresh, 0o644);
      const said = await run(process.execPath, [fresh, "version"], { timeout: 30_000 }).then(
        (r) => r.stdout.trim(),
        (err: unknown) => `(does not run: ${errorMessage(err).split("\n")[0]})`,
      );
      if (said !== order.version)
        return fail(
          `the downloaded bundle reports version ${said}, not ${order.version}; nothing was changed`,
        );
      const previous = `${bundle}.previous`;
      await rm(previous, { force: true });
      await link(bundle, previous).catch(() => copyFile(bundle, previous));
      const deadline = Math.ceil((Date.now() + this.#o.confirmMs) / 1000);
      await writeFileAtomic(
        this.#marker,
        JSON.stringify({ from, to: order.version, deadline, rolledBack: false } satisfies Marker),
      );
      await rename(fresh, bundle);
      this.#o.report({ state: "restarting", from, to: order.version });
      this.#o.log.info("agent updated; restarting", { from, to: order.version });
      this.#o.restart(0);
    } catch (err) {
      fail(errorMessage(err));
    } finally {
      await rm(fresh, { force: true }).catch(() => {});
      this.#busy = false;
    }
  }
}
