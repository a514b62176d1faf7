// Hrana-over-HTTP streams: each stream owns one connection to the database file and is named
// by a baton that changes with every request, so a client must use a stream serially. As in
// sqld (libsql-server src/hrana/http/stream.rs): batons are HMAC-signed (stream id, sequence),
// an idle stream expires after 10 s (its connection closes, rolling back), and a transaction
// that holds the write lock for more than 5 s while another stream waits for it is rolled back.
import { createHmac, randomBytes, timingSafeEqual } from "node:crypto";
import { SqlConnection } from "./connection.ts";
import { ProtocolError, StreamExpiredError } from "./errors.ts";

export interface StreamOptions {
  /** An unused stream is closed after this long. */
  expireMs?: number;
  /** An expired stream's baton is answered "expired" (not "invalid") for this long. */
  forgetMs?: number;
  /** A transaction open this long loses its lock when another stream needs it. */
  txnTimeoutMs?: number;
  /** A statement waits this long for another stream's lock before failing with SQLITE_BUSY. */
  busyTimeoutMs?: number;
  now?: () => number;
}

export class Stream {
  /** The SQL texts stored with `store_sql`, by id. */
  readonly sqls = new Map<number, string>();
  conn: SqlConnection | null;
  /** Set when the stream's transaction was rolled back to free the lock for another stream. */
  forcedRollback = false;
  /** When the stream's current transaction was first seen open. */
  txnSince: number | undefined;
  lastUsed = 0;

  constructor(
    readonly id: string,
    public seq: bigint,
    private readonly open: () => SqlConnection,
  ) {
    this.conn = open();
  }

  /**
   * Gives the stream a fresh connection in place of one a failed statement left unusable (see
   * `poisonedBy`); an open transaction is lost, rolled back.
   */
  replaceConnection(): SqlConnection {
    this.conn?.close();
    this.conn = this.open();
    this.txnSince = undefined;
    return this.conn;
  }

  close(): void {
    this.conn?.close();
    this.conn = null;
  }
}

type Handle = { state: "available" | "acquired"; stream: Stream } | { state: "expired"; since: number };

export class StreamRegistry {
  private readonly key = randomBytes(32);
  private readonly handles = new Map<string, Handle>();
  private readonly expireMs: number;
  private readonly forgetMs: number;
  private readonly txnTimeoutMs: number;
  readonly busyTimeoutMs: number;
  private readonly now: () => number;
  private readonly timer: ReturnType<typeof setInterval>;

  constructor(
    private readonly dbPath: string,
    opts: StreamOptions = {},
  ) {
    this.expireMs = opts.expireMs ?? 10_000;
    this.forgetMs = opts.forgetMs ?? 300_000;
    this.txnTimeoutMs = opts.txnTimeoutMs ?? 5_000;
    this.busyTimeoutMs = opts.busyTimeoutMs ?? 5_000;
    this.now = opts.now ?? Date.now;
    this.timer = setInterval(() => this.sweep(), Math.min(1000, this.expireMs));
    this.timer.unref();
  }

  /** Open streams (for tests and the shutdown log). */
  get open(): number {
    let n = 0;
    for (const h of this.handles.values()) if (h.state !== "expired") n++;
    return n;
  }

  /** The stream a baton names, or a new one for no baton; it is the caller's until `release`. */
  acquire(baton: string | null | undefined): Stream {
    if (baton === null || baton === undefined) {
      const stream = new Stream(
        randomBytes(8).toString("hex"),
        randomBytes(8).readBigUInt64BE(),
        () => new SqlConnection(this.dbPath),
      );
      this.handles.set(stream.id, { state: "acquired", stream });
      return stream;
    }
    const { id, seq } = this.decode(baton);
    const handle = this.handles.get(id);
    if (!handle) throw new ProtocolError("Received an invalid baton");
    if (handle.state === "expired") throw new StreamExpiredError();
    if (handle.state === "acquired" || handle.stream.seq !== seq) {
      throw new ProtocolError("Received a baton that has already been used");
    }
    handle.stream.seq = (handle.stream.seq + 1n) & 0xffffffffffffffffn;
    this.handles.set(id, { state: "acquired", stream: handle.stream });
    return handle.stream;
  }

  /** Gives the stream back after a request; returns the next baton, or null once it is closed. */
  release(stream: Stream): string | null {
    if (!stream.conn) {
      this.handles.delete(stream.id);
      return null;
    }
    stream.lastUsed = this.now();
    if (stream.conn.autocommit) stream.txnSince = undefined;
    else stream.txnSince ??= stream.lastUsed;
    this.handles.set(stream.id, { state: "available", stream });
    return this.encode(stream.id, stream.seq);
  }

  /** Ends a stream whose request failed with a protocol error (the baton is no longer valid). */
  drop(stream: Stream): void {
    stream.close();
    this.handles.delete(stream.id);
  }

  /**
   * Called while `waiter` waits for a lock: rolls back other streams' transactions that have
   * been open longer than the transaction timeout. Their next program fails with
   * TRANSACTION_TIMEOUT, as in sqld.
   */
  stealStaleLocks(waiter: Stream): void {
    const now = this.now();
    for (const h of this.handles.values()) {
      if (h.state !== "available" || h.stream === waiter || h.stream.txnSince === undefined) continue;
      if (now - h.stream.txnSince < this.txnTimeoutMs) continue;
      h.stream.conn?.rollback();
      h.stream.forcedRollback = true;
      h.stream.txnSince = undefined;
    }
  }

  /** Expires idle streams and forgets long-expired ones. */
  sweep(): void {
    const now = this.now();
    for (const [id, h] of this.handles) {
      if (h.state === "available" && now - h.stream.lastUsed >= this.expireMs) {
        h.stream.close();
        this.handles.set(id, { state: "expired", since: now });
      } else if (h.state === "expired" && now - h.since >= this.forgetMs) {
        this.handles.delete(id);
      }
    }
  }

  /** Closes every stream (server shutdown). */
  closeAll(): void {
    clearInterval(this.timer);
    for (const h of this.handles.values()) if (h.state !== "expired") h.stream.close();
    this.handles.clear();
  }

  private mac(payload: Buffer): Buffer {
    return createHmac("sha256", this.key).update(payload).digest();
  }

  private encode(id: string, seq: bigint): string {
    const payload = Buffer.alloc(16);
    Buffer.from(id, "hex").copy(payload, 0);
    payload.writeBigUInt64BE(seq, 8);
    return Buffer.concat([payload, this.mac(payload)])
      .toString("base64")
      .replace(/=+$/, "");
  }

  private decode(baton: string): { id: string; seq: bigint } {
    const data = Buffer.from(baton, "base64");
    if (data.length !== 48 || !/^[A-Za-z0-9+/]+$/.test(baton))
      throw new ProtocolError("Received an invalid baton");
    const payload = data.subarray(0, 16);
    if (!timingSafeEqual(this.mac(payload), data.subarray(16)))
      throw new ProtocolError("Received an invalid baton");
    return { id: payload.subarray(0, 8).toString("hex"), seq: payload.readBigUInt64BE(8) };
  }
}
