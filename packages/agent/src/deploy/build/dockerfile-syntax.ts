/**
 * Reads a Dockerfile the way Docker's frontend does, enough to check what Pylon generates and
 * to read a repository's own: logical lines (backslash continuations, comments), instruction
 * order (only ARG before the first FROM: "no build stage in current context"), stages with
 * their names, `COPY --from` references, and the final stage's EXPOSE and CMD.
 * https://docs.docker.com/reference/dockerfile/
 */

const INSTRUCTIONS = new Set([
  "ADD",
  "ARG",
  "CMD",
  "COPY",
  "ENTRYPOINT",
  "ENV",
  "EXPOSE",
  "FROM",
  "HEALTHCHECK",
  "LABEL",
  "MAINTAINER",
  "ONBUILD",
  "RUN",
  "SHELL",
  "STOPSIGNAL",
  "USER",
  "VOLUME",
  "WORKDIR",
]);

export interface Instruction {
  line: number;
  keyword: string;
  args: string;
}

export interface Stage {
  base: string;
  name: string | null;
  instructions: Instruction[];
}

export class DockerfileSyntaxError extends Error {
  override readonly name = "DockerfileSyntaxError";
}

/** Logical lines with the line number each starts on; comments and blank lines dropped. */
export function logicalLines(text: string): Instruction[] {
  const raw = text.replace(/\r\n/g, "\n").split("\n");
  const out: Instruction[] = [];
  for (let i = 0; i < raw.length; i++) {
    let line = raw[i]!.trim();
    const start = i + 1;
    if (!line || line.startsWith("#")) continue;
    while (line.endsWith("\\") && i + 1 < raw.length) {
      const next = raw[++i]!;
      // Comment lines inside a continuation are skipped, as Docker does.
      if (next.trim().startsWith("#")) continue;
      line = `${line.slice(0, -1)} ${next.trim()}`;
    }
    const m = /^(\S+)\s*([\s\S]*)$/.exec(line)!;
    out.push({ line: start, keyword: m[1]!.toUpperCase(), args: m[2]!.trim() });
  }
  return out;
}

/** Parses into stages; throws with Docker's own wording where Docker would refuse the file. */
export function parseDockerfile(text: string): Stage[] {
  const stages: Stage[] = [];
  for (const ins of logicalLines(text)) {
    if (!INSTRUCTIONS.has(ins.keyword))
      throw new DockerfileSyntaxError(
        `dockerfile parse error on line ${ins.line}: unknown instruction: ${ins.keyword}`,
      );
    if (ins.keyword === "FROM") {
      const m = /^(?:--platform=\S+\s+)?(\S+)(?:\s+AS\s+(\S+))?$/i.exec(ins.args);
      if (!m)
        throw new DockerfileSyntaxError(
          `dockerfile parse error on line ${ins.line}: FROM requires either one or three arguments`,
        );
      const name = m[2]?.toLowerCase() ?? null;
      if (name && stages.some((s) => s.name === name))
        throw new DockerfileSyntaxError(`duplicate stage name "${name}"`);
      stages.push({ base: m[1]!, name, instructions: [] });
      continue;
    }
    const current = stages.at(-1);
    if (!current) {
      if (ins.keyword === "ARG") continue;
      throw new DockerfileSyntaxError("no build stage in current context");
    }
    if (ins.keyword === "COPY" || ins.keyword === "ADD") {
      const from = /--from=(\S+)/.exec(ins.args)?.[1];
      if (from && ins.keyword === "COPY") {
        const index = Number(from);
        const earlier = stages.slice(0, -1);
        const known = Number.isInteger(index)
          ? index < earlier.length
          : earlier.some((s) => s.name === from.toLowerCase());
        // Anything else is an image reference, which Docker pulls; our own files never do that.
        if (Number.isInteger(index) && !known)
          throw new DockerfileSyntaxError(`invalid from flag value ${from}: stage index out of range`);
      }
    }
    current.instructions.push(ins);
  }
  if (stages.length === 0) throw new DockerfileSyntaxError("file with no instructions");
  return stages;
}

/** The final stage's last EXPOSEd port and its CMD (as text), for a repository's own Dockerfile. */
export function dockerfileInfo(text: string): { exposed: number | null; cmd: string | null } {
  let stages: Stage[];
  try {
    stages = parseDockerfile(text);
  } catch {
    return { exposed: null, cmd: null };
  }
  // A stage inherits EXPOSE from the stage it is based on.
  const chain: Stage[] = [];
  for (
    let s: Stage | undefined = stages.at(-1);
    s && !chain.includes(s);
    s = stages.find((x) => x.name === s!.base.toLowerCase())
  )
    chain.push(s);
  let exposed: number | null = null;
  let cmd: string | null = null;
  for (const stage of chain) {
    for (const ins of stage.instructions) {
      if (exposed === null && ins.keyword === "EXPOSE") {
        const port = Number(/^(\d+)/.exec(ins.args)?.[1]);
        if (port > 0) exposed = port;
      }
    }
    const c = stage.instructions.filter((i) => i.keyword === "CMD" || i.keyword === "ENTRYPOINT").at(-1);
    cmd ??= c ? c.args : null;
    if (exposed !== null && cmd !== null) break;
  }
  // Within a stage the last EXPOSE wins.
  const last = chain[0]?.instructions.filter((i) => i.keyword === "EXPOSE").at(-1);
  if (last) exposed = Number(/^(\d+)/.exec(last.args)?.[1]) || exposed;
  return { exposed, cmd };
}
