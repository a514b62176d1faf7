// `tsx test/libsql-server/main.ts --db <file> [--port 0] [--host 127.0.0.1] [--auth-token T]`
// Prints one line with the URL once it listens, then serves until SIGTERM/SIGINT.
// The token may come from LIBSQL_SERVER_AUTH_TOKEN instead of the command line (which `ps` shows).
import { startLibsqlServer } from "./src/index.ts";

function usage(problem: string): never {
  process.stderr.write(
    `${problem}\nusage: main.ts --db <file> [--port N] [--host ADDR] [--auth-token TOKEN]\n`,
  );
  process.exit(2);
}

const args = process.argv.slice(2);
const opts: { db?: string; port: number; host: string; authToken?: string } = {
  port: 0,
  host: "127.0.0.1",
  authToken: process.env.LIBSQL_SERVER_AUTH_TOKEN || undefined,
};
for (let i = 0; i < args.length; i++) {
  const flag = args[i]!;
  const value = args[i + 1];
  if (value === undefined) usage(`${flag} needs a value`);
  i++;
  if (flag === "--db") opts.db = value;
  else if (flag === "--port") {
    opts.port = Number(value);
    if (!Number.isInteger(opts.port) || opts.port < 0 || opts.port > 65535)
      usage(`--port: not a port: ${value}`);
  } else if (flag === "--host") opts.host = value;
  else if (flag === "--auth-token") opts.authToken = value;
  else usage(`unknown option ${flag}`);
}
if (!opts.db) usage("--db is required");

const server = await startLibsqlServer({
  dbPath: opts.db,
  port: opts.port,
  host: opts.host,
  authToken: opts.authToken,
});
process.stdout.write(`libSQL test server listening on ${server.url}\n`);

const stop = () => {
  void server.close().then(() => process.exit(0));
  setTimeout(() => process.exit(0), 3000).unref();
};
process.on("SIGTERM", stop);
process.on("SIGINT", stop);
