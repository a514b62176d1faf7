// `docker build` of the guest shim: parses the Dockerfile like BuildKit's frontend does
// enough to refuse invalid files with its texts, and records the image with its CMD.
const crypto = require("node:crypto");
const fs = require("node:fs");
const path = require("node:path");
const { saveImage } = require("./docker-lib.cjs");

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

function parseCmd(rest) {
  const text = rest.trim();
  if (text.startsWith("[")) {
    try {
      return JSON.parse(text);
    } catch {}
  }
  return ["/bin/sh", "-c", text];
}

/** Builds: returns { ok, out, err } with BuildKit-like output. */
function build(contextDir, dockerfile, tag) {
  const ctx = path.resolve(contextDir || ".");
  const df = path.resolve(ctx, dockerfile || "Dockerfile");
  const name = path.basename(df);
  if (!fs.existsSync(df)) {
    return {
      ok: false,
      err: `ERROR: failed to solve: failed to read dockerfile: open ${name}: no such file or directory\n`,
    };
  }
  const lines = fs.readFileSync(df, "utf8").split("\n");
  let sawFrom = false;
  let cmd;
  let entrypoint;
  let steps = 0;
  for (let i = 0; i < lines.length; i++) {
    let line = lines[i].trim();
    while (line.endsWith("\\") && i + 1 < lines.length) line = `${line.slice(0, -1)} ${lines[++i].trim()}`;
    if (!line || line.startsWith("#")) continue;
    const [word, ...restParts] = line.split(/\s+/);
    const inst = word.toUpperCase();
    const rest = restParts.join(" ");
    if (!INSTRUCTIONS.has(inst)) {
      return {
        ok: false,
        err: `ERROR: failed to solve: dockerfile parse error on line ${i + 1}: unknown instruction: ${word}\n`,
      };
    }
    if (!sawFrom && inst !== "FROM" && inst !== "ARG") {
      return { ok: false, err: `ERROR: failed to solve: no build stage in current context\n` };
    }
    if (inst === "FROM") {
      if (!rest)
        return {
          ok: false,
          err: `ERROR: failed to solve: dockerfile parse error on line ${i + 1}: FROM requires either one or three arguments\n`,
        };
      sawFrom = true;
    }
    if (inst === "CMD") cmd = parseCmd(rest);
    if (inst === "ENTRYPOINT") entrypoint = parseCmd(rest);
    if (inst === "COPY" || inst === "ADD") {
      const srcs = rest
        .split(/\s+/)
        .filter((s) => !s.startsWith("--"))
        .slice(0, -1);
      for (const s of srcs) {
        if (!s.includes("*") && !/^https?:/.test(s) && !fs.existsSync(path.resolve(ctx, s))) {
          return {
            ok: false,
            err: `ERROR: failed to solve: failed to compute cache key: failed to calculate checksum of ref: "/${s}": not found\n`,
          };
        }
      }
    }
    steps++;
  }
  if (!sawFrom) return { ok: false, err: "ERROR: failed to solve: file with no instructions\n" };
  const id = crypto.createHash("sha256").update(`${df}${Date.now()}`).digest("hex");
  saveImage(tag || `sim-build-${id.slice(0, 12)}`, {
    id,
    cmd: [...(entrypoint || []), ...(cmd || [])],
    context: ctx,
    created: new Date().toISOString(),
  });
  const out = [
    '#0 building with "default" instance using docker driver',
    "",
    `#1 [internal] load build definition from ${name}`,
    "#1 DONE 0.0s",
    `#${steps + 2} exporting to image`,
    `#${steps + 2} writing image sha256:${id} done`,
    tag ? `#${steps + 2} naming to docker.io/library/${tag.includes(":") ? tag : `${tag}:latest`} done` : "",
    `#${steps + 2} DONE 0.1s`,
    "",
  ].join("\n");
  return { ok: true, err: out, id };
}

module.exports = { build };
