// An HTTP server that keeps accepting new connections while it is saturated.
//
// Since libuv 1.45 (Node 20) a listening socket accepts one connection per event-loop turn
// (libuv/libuv#3696, "don't accept() connections in a loop"). A turn handles every socket with
// a request waiting, so with a thousand busy keep-alive connections a turn takes hundreds of
// milliseconds and newcomers wait in the kernel's accept queue for many seconds: opened at once,
// a thousand clients saw a fifth of them time out. Here requests wait in a FIFO queue and a
// turn runs only a few of them (each in its own setImmediate, so its promise work finishes
// before the next); while connections are still arriving a turn runs fewer, so the next
// accept comes sooner. Nothing is refused and the order is kept.
import {
  createServer,
  type IncomingMessage,
  type RequestListener,
  type Server,
  type ServerResponse,
} from "node:http";

/** Requests run per event-loop turn: few while connections arrive, more in steady state. */
export const PACE = { arriving: 2, steady: 64 } as const;

/** Queues requests for `listener` and runs them a few per event-loop turn (see above). */
export function pacedListener(listener: RequestListener, pace: { arriving: number; steady: number } = PACE) {
  let queue: [IncomingMessage, ServerResponse][] = [];
  let head = 0;
  /** Immediates pending: the requests the coming check phase runs. */
  let scheduled = 0;
  let accepted = false;
  const quota = () => (accepted ? pace.arriving : pace.steady);
  const schedule = () => {
    scheduled++;
    setImmediate(runOne);
  };
  const runOne = () => {
    scheduled--;
    const next = queue[head];
    if (next) {
      queue[head++] = undefined as unknown as [IncomingMessage, ServerResponse];
      listener(next[0], next[1]);
    }
    if (head === queue.length) {
      queue = [];
      head = 0;
    }
    if (scheduled > 0) return;
    // The last of this turn: the next turn's share (immediates queued now run on the next turn).
    const n = Math.min(quota(), queue.length - head);
    accepted = false;
    for (let i = 0; i < n; i++) schedule();
  };
  return {
    onRequest(req: IncomingMessage, res: ServerResponse): void {
      queue.push([req, res]);
      if (scheduled < quota()) schedule();
    },
    onConnection(): void {
      accepted = true;
    },
    /** Requests waiting (for tests). */
    get waiting(): number {
      return queue.length - head;
    },
  };
}

/** `http.createServer` with paced requests, for @hono/node-server's `createServer` option. */
export function createPacedServer(options: object, listener: RequestListener): Server {
  const paced = pacedListener(listener);
  const server = createServer(options, paced.onRequest);
  server.on("connection", paced.onConnection);
  return server;
}
