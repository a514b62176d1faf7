// The stand-in for a container without an app command of its own: a small HTTP server on
// the guest's address and published port that names the service (and answers /health).
const http = require("node:http");

const [host, port, name] = process.argv.slice(2);
const server = http.createServer((req, res) => {
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
