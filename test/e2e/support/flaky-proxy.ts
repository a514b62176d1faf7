// A TCP proxy that can drop every connection through it, on demand or at random moments:
// the "link cut" in fault tests.
import net from "node:net";

export interface FlakyProxy {
  url: string;
  port: number;
  /** Destroys every open connection now. */
  cut(): number;
  /** Cuts at random moments every 0..maxMs until stopped; returns the stop function. */
  chaos(maxMs: number): () => void;
  cuts: number;
  /** Sends new connections to another port (a restarted server). */
  retarget(port: number): void;
  close(): Promise<void>;
}

/** Forwards 127.0.0.1:<free port> to `target` (host:port). */
export async function startFlakyProxy(targetPort: number, targetHost = "127.0.0.1"): Promise<FlakyProxy> {
  const open = new Set<net.Socket>();
  let target = targetPort;
  const server = net.createServer((client) => {
    const upstream = net.connect(target, targetHost);
    open.add(client);
    open.add(upstream);
    const drop = () => {
      client.destroy();
      upstream.destroy();
      open.delete(client);
      open.delete(upstream);
    };
    client.on("error", drop).on("close", drop);
    upstream.on("error", drop).on("close", drop);
    client.pipe(upstream);
    upstream.pipe(client);
  });
  await new Promise<void>((r) => server.listen(0, "127.0.0.1", r));
  const port = (server.address() as net.AddressInfo).port;
  const proxy: FlakyProxy = {
    url: `http://127.0.0.1:${port}`,
    port,
    cuts: 0,
    cut() {
      const n = open.size;
      for (const s of open) s.destroy();
      open.clear();
      if (n) proxy.cuts++;
      return n;
    },
    chaos(maxMs) {
      let stopped = false;
      const next = () => {
        if (stopped) return;
        setTimeout(() => {
          if (stopped) return;
          proxy.cut();
          next();
        }, Math.random() * maxMs);
      };
      next();
      return () => {
        stopped = true;
      };
    },
    retarget(port) {
      target = port;
    },
    async close() {
      proxy.cut();
      await new Promise<void>((r) => server.close(() => r()));
    },
  };
  return proxy;
}
