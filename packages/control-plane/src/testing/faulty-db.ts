// A database whose every call fails while `failing` is set, as a locked, full or vanished
// database fails: for tests that the control plane's background work survives such moments.
import type { Client } from "@libsql/client";
import { createDb, type Db } from "../db/client.ts";

export interface FaultyDb {
  db: Db;
  /** While true, every statement rejects with SQLITE_IOERR. */
  failing: boolean;
  /** Statements refused so far. */
  failures: number;
}

/** Wraps `real`'s client: calls pass through, or fail while `failing` is set. */
export function faultyDb(real: Db): FaultyDb {
  const inner = real.$client;
  const state: FaultyDb = { db: undefined as unknown as Db, failing: false, failures: 0 };
  const guard =
    <A extends unknown[], R>(fn: (...args: A) => Promise<R>) =>
    (...args: A): Promise<R> => {
      if (!state.failing) return fn(...args);
      state.failures++;
      return Promise.reject(
        Object.assign(new Error("SQLITE_IOERR: disk I/O error"), { code: "SQLITE_IOERR" }),
      );
    };
  const client = new Proxy(inner, {
    get(target, prop, receiver) {
      if (prop === "execute") return guard(target.execute.bind(target));
      if (prop === "batch") return guard(target.batch.bind(target));
      return Reflect.get(target, prop, receiver);
    },
  }) as Client;
  state.db = createDb(client);
  return state;
}
