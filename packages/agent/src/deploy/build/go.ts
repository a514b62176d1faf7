import { cmdLine, commandText, envLine, header } from "./dockerfile.ts";
import { images } from "./images.ts";
import { findPort } from "./ports.ts";
import type { RepoFiles } from "./repo-files.ts";
import {
  BuildDetectionError,
  DEFAULT_DOCKERIGNORE,
  emptyPlan,
  type PlanInput,
  type ReadyPlan,
} from "./types.ts";
import {
  DEFAULT_GO,
  GO_LINES,
  minorLine,
  resolveVersion,
  runtimeEntry,
  type VersionAsk,
} from "./versions.ts";

/** The package to build: the root when it is package main, else the only cmd/<name>. */
async function mainPackage(files: RepoFiles): Promise<{ dir: string; file: string | null }> {
  const list = await files.list();
  for (const f of list.filter((x) => /^[^/]+\.go$/.test(x) && !x.endsWith("_test.go"))) {
    if (/^package main\b/m.test((await files.read(f)) ?? "")) return { dir: ".", file: f };
  }
  const cmds = [
    ...new Set(list.filter((x) => /^cmd\/[^/]+\/[^/]+\.go$/.test(x)).map((x) => x.split("/")[1]!)),
  ];
  if (cmds.length === 1)
    return {
      dir: `./cmd/${cmds[0]}`,
      file: list.find((x) => x.startsWith(`cmd/${cmds[0]}/`) && x.endsWith("main.go")) ?? null,
    };
  throw new BuildDetectionError(
    cmds.length > 1
      ? `found a Go module with several commands (${cmds.map((c) => `cmd/${c}`).join(", ")}); set the build command or add a Dockerfile`
      : "found go.mod, but no package main at the root or under cmd/",
  );
}

/** A Go module: a static binary built in golang, run as nobody on a small Debian. */
export async function goPlan(files: RepoFiles, input: PlanInput): Promise<ReadyPlan> {
  const { overrides, warnings } = input;
  const mod = (await files.read("go.mod")) ?? "";
  const asks: VersionAsk[] = [];
  if (overrides.goVersion) asks.push({ range: `~${overrides.goVersion}`, from: "your setting" });
  const toolchain = /^toolchain\s+go(\d+\.\d+(?:\.\d+)?)/m.exec(mod)?.[1];
  const go = /^go\s+(\d+\.\d+(?:\.\d+)?)/m.exec(mod)?.[1];
  if (toolchain) asks.push({ range: `>=${toolchain}`, from: "go.mod toolchain" });
  if (go) asks.push({ range: `>=${go}`, from: "go.mod go" });
  const version = resolveVersion("Go", asks, GO_LINES, DEFAULT_GO, minorLine);
  warnings.push(...version.warnings);
  const main = await mainPackage(files);
  const found = await findPort(files, main.file);
  const port = overrides.port ?? found?.port ?? 8080;
  const build =
    overrides.buildCommand ?? `CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" -o /out/app ${main.dir}`;
  const start = overrides.startCommand ? { shell: overrides.startCommand } : ["/usr/local/bin/app"];
  const hasSum = (await files.list()).includes("go.sum");
  const lines = [
    ...header("Go", `found go.mod; builds ${main.dir}`, [`Go ${version.version} (${version.from}).`]),
    `FROM ${images.go(version.tag)} AS build`,
    "WORKDIR /src",
    `COPY go.mod ${hasSum ? "go.sum " : ""}./`,
    overrides.installCommand ? `RUN ${overrides.installCommand}` : "RUN go mod download",
    "COPY . .",
    `RUN ${build}`,
    "",
    `FROM ${images.goRun}`,
    "COPY --from=build /etc/ssl/certs/ca-certificates.crt /etc/ssl/certs/ca-certificates.crt",
    "COPY --from=build /out/app /usr/local/bin/app",
    envLine({ PORT: String(port), HOST: "0.0.0.0" }),
    "USER nobody",
    `EXPOSE ${port}`,
    cmdLine(start),
  ];
  return {
    ...emptyPlan(),
    source: "generated",
    framework: "go",
    frameworkName: "Go",
    reason: `found go.mod; builds ${main.dir}; port ${port} (${overrides.port ? "your setting" : found ? found.file : "default; PORT is set"})`,
    runtime: runtimeEntry("go", version, images.go(version.tag)),
    packageManager: "go modules",
    commands: { install: overrides.installCommand ?? "go mod download", build, start: commandText(start) },
    port,
    env: { PORT: String(port), HOST: "0.0.0.0" },
    dockerfile: `${lines.join("\n")}\n`,
    dockerignore: DEFAULT_DOCKERIGNORE,
    warnings,
  };
}
