import type { DiagnosticName } from "@pylon/shared/protocol/index";
import { fitText } from "../../connection/frame-size.ts";
import { JobError, type JobHandler } from "../../jobs/types.ts";
import type { CommandRunner } from "../../runners/types.ts";
import { currentAddress } from "./address.ts";
import { openRunner } from "./connect.ts";
import { apiFor } from "./context.ts";
import { depsOrFail, step } from "./manage.ts";
import { containerName } from "./run-app.ts";

/** Output of one diagnostic is capped at this many bytes (per stream, and in total). */
export const MAX_DIAGNOSTIC_BYTES = 256 * 1024;
/**
 * …and at this many once encoded for the link, where a control character takes six bytes: a
 * guest's log full of them must still fit one frame (issue 10).
 */
export const MAX_DIAGNOSTIC_ENCODED_BYTES = 512 * 1024;

/** How to reach the app in its guest: its compose command line, or its single container. */
export type Target = { compose: string[] } | { container: string };

/** The fixed argv list of each named diagnostic; nothing here comes from the caller but `tail`. */
export function diagnosticCommands(name: DiagnosticName, target: Target, tail: number): string[][] {
  const app = (composeArgs: string[], containerArgs: string[]): string[][] =>
    "compose" in target
      ? [[...target.compose, ...composeArgs]]
      : [["docker", ...containerArgs, target.container]];
  switch (name) {
    case "logs":
      return app(["logs", "--no-color", "--tail", String(tail)], ["logs", "--tail", String(tail)]);
    case "status":
      return "compose" in target ? [[...target.compose, "ps", "-a"]] : [["docker", "ps", "-a"]];
    case "disk":
      return [["df", "-h"]];
    case "processes":
      return [["ps", "aux"]];
    case "memory":
      return [["free", "-m"]];
    case "network":
      return [
        ["ip", "-brief", "address"],
        ["ip", "route"],
      ];
    case "images":
      return [["docker", "images"]];
    case "volumes":
      return [["docker", "volume", "ls"]];
    case "config":
      // Names, images, ports and mounts only: a container's environment holds the app's secrets.
      return [
        ["docker", "ps", "-a", "--no-trunc", "--format", "{{.Names}}\t{{.Image}}\t{{.Ports}}\t{{.Mounts}}"],
      ];
    case "system":
      return [["uname", "-a"], ["uptime"], ["cat", "/etc/os-release"]];
  }
}

/** The app's compose command recorded by the run step, if it runs with compose. */
export async function targetOf(runner: CommandRunner, appDir: string, name: string): Promise<Target> {
  const r = await runner.run(["cat", "--", `${appDir}/.pylon/compose-command`], {
    maxOutputBytes: 64 * 1024,
  });
  const args = r.exitCode === 0 ? r.stdout.split("\n").filter((l) => l !== "") : [];
  const valid = args[0] === "docker" || args[0] === "docker-compose";
  return valid ? { compose: args } : { container: containerName(name) };
}

/** `app.diagnostics`: one named read-only command set run in the app's guest, output capped. */
export const appDiagnostics: JobHandler<"app.diagnostics"> = {
  kind: "app.diagnostics",
  async run({ vmid, type, name, tail }, ctx) {
    const deps = depsOrFail(name);
    const api = apiFor(ctx, deps);
    return step(ctx, name, async () => {
      const config = await api.config(type, vmid);
      const appName = String((type === "lxc" ? config.hostname : config.name) ?? "");
      if (!/^[a-z0-9-]{1,63}$/.test(appName)) throw new JobError(`guest ${vmid} has no app name`, name);
      const address = type === "qemu" ? await currentAddress(api, type, vmid) : null;
      const open = await openRunner(deps, { type, vmid, address });
      try {
        const target = await targetOf(open.runner, `${deps.appsBase}/${appName}`, appName);
        let output = "";
        for (const argv of diagnosticCommands(name, target, tail ?? 200)) {
          const r = await open.runner.run(argv, {
            timeoutMs: 60_000,
            signal: ctx.signal,
            maxOutputBytes: MAX_DIAGNOSTIC_BYTES,
          });
          output += `$ ${argv.join(" ")}\n${r.stdout}${r.stderr}${r.exitCode !== 0 ? `(exit ${r.exitCode})\n` : ""}`;
          if (output.length >= MAX_DIAGNOSTIC_BYTES) break;
        }
        return { output: fitText(output.slice(0, MAX_DIAGNOSTIC_BYTES), MAX_DIAGNOSTIC_ENCODED_BYTES) };
      } finally {
        await open.close();
      }
    });
  },
};
