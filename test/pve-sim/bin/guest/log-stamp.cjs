// Runs a container's process and writes its output to the container's log with the time each
// line was written, as dockerd's log driver records it: "<RFC 3339 with nanoseconds> <line>".
// `docker logs` strips the time unless asked for it (--timestamps). Usage: log-stamp.cjs <log
// file> <program> [args...]; the program inherits the environment and working directory.
const { spawn } = require("node:child_process");
const fs = require("node:fs");

const [logFile, program, ...args] = process.argv.slice(2);
const fd = fs.openSync(logFile, "a");
const stamp = () => new Date().toISOString().replace(/\.(\d{3})Z$/, ".$1000000Z");

function relay(stream) {
  let partial = "";
  stream.setEncoding("utf8");
  stream.on("data", (chunk) => {
    const lines = (partial + chunk).split("\n");
    partial = lines.pop() ?? "";
    for (const line of lines) fs.writeSync(fd, `${stamp()} ${line}\n`);
  });
  stream.on("end", () => {
    if (partial) fs.writeSync(fd, `${stamp()} ${partial}\n`);
  });
}

const child = spawn(program, args, { stdio: ["ignore", "pipe", "pipe"] });
relay(child.stdout);
relay(child.stderr);
child.on("error", (err) => {
  fs.writeSync(fd, `${stamp()} ${err.message}\n`);
  process.exit(127);
});
child.on("exit", (code, signal) => process.exit(code ?? (signal ? 128 : 1)));
for (const sig of ["SIGTERM", "SIGINT"]) process.on(sig, () => child.kill(sig));
