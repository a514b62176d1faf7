// The stand-in for a container without an app command of its own: a small HTTP server on
// the guest's address and published port that names the service (and answers /health).
const http = require("node:http");

const fs = require("node:fs");
const path = require("node:path");

const [host, port, name, root] = process.argv.slice(2);

/** With a root folder (a built nginx image's html), serves its files, index.html for folders. */
function serveFile(req, res) {
  const rel = path.posix.normalize(decodeURIComponent(new URL(req.url, "http://x").pathname));
  let file = path.join(root, rel);
  if (!file.startsWith(root)) return false;
  if (fs.existsSync(file) && fs.statSync(file).isDirectory()) file = path.join(file, "index.html");
  if (!fs.existsSync(file)) file = path.join(root, "index.html");
  if (!fs.existsSync(file)) return false;
  res.writeHead(200, {
    "Content-Type": file.endsWith(".html") ? "text/html; charset=utf-8" : "application/octet-stream",
  });
  res.end(fs.readFileSync(file));
  return true;
}

const server = http.createServer((req, res) => {
  if (root && serveFile(req, res)) return;
  if (req.url === "/health" || req.url === "/healthz") {
    res.writeHead(200, { "Content-Type": "application/json" });
    res.end(JSON.stringify({ status: "ok", service: name }));
    return;
  }
  res.writeHead(200, { "Content-Type": "text/plain; charset=utf-8" });
  res.end(`pve-sim service ${name}\n`);
  console.log(`${new Date().toISOString()} ${req.method} ${req.url}`);
});
server.listen(Number(port), host, () => console.log(`${name} listening on ${host}:${port}`));
process.on("SIGTERM", () => server.close(() => process.exit(0)));
