// Streams a client abandons or holds too long: expiry, a stale transaction's lock taken back,
// and a writer that gives up waiting for a lock (timeouts shortened from sqld's 10 s and 5 s).
import { type Client, createClient } from "@libsql/client";
import { afterEach, describe, expect, it } from "vitest";
import { post, stmt, type TestServer, TOKEN, testServer, text } from "./support.ts";

let srv: TestServer | undefined;
const clients: Client[] = [];

async function serverWith(opts: Parameters<typeof testServer>[0]) {
  srv = await testServer(opts);
  const c = createClient({ url: srv.url, authToken: TOKEN });
  clients.push(c);
  await c.execute("CREATE TABLE t (a TEXT)");
  return { srv, c };
}
const client = () => {
  const c = createClient({ url: srv!.url, authToken: TOKEN });
  clients.push(c);
  return c;
};
const rows = async (c: Client) => (await c.execute("SELECT a FROM t ORDER BY rowid")).rows.map((r) => r.a);

afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  await srv?.stop();
  srv = undefined;
});

describe("stream lifetime", () => {
  it("expires an idle stream: its transaction is rolled back and its baton answers STREAM_EXPIRED", async () => {
    const { c } = await serverWith({ expireMs: 300 });
    const tx = await c.transaction("write");
    await tx.execute("INSERT INTO t VALUES ('abandoned')");
    await expect.poll(() => srv!.openStreams(), { timeout: 10_000 }).toBe(0);
    await expect(tx.execute("SELECT 1")).rejects.toMatchObject({ code: "STREAM_EXPIRED" });
    // The lock went with it: another client writes at once.
    await client().execute("INSERT INTO t VALUES ('next')");
    expect(await rows(c)).toEqual(["next"]);
  });

  it("takes the lock back from a transaction held too long while another writer waits", async () => {
    const { c } = await serverWith({ txnTimeoutMs: 200, busyTimeoutMs: 20_000 });
    const slow = await c.transaction("write");
    await slow.execute("INSERT INTO t VALUES ('slow')");
    await client().execute("INSERT INTO t VALUES ('waiting')");
    await expect(slow.execute("INSERT INTO t VALUES ('more')")).rejects.toMatchObject({
      code: "TRANSACTION_TIMEOUT",
    });
    expect(await rows(c)).toEqual(["waiting"]);
  });

  it("fails a writer with SQLITE_BUSY after the busy timeout and leaves its stream usable", async () => {
    const { c } = await serverWith({ busyTimeoutMs: 200, txnTimeoutMs: 60_000 });
    const holder = await c.transaction("write");
    await holder.execute("INSERT INTO t VALUES ('holder')");
    const busy = await post(srv!, "/v2/pipeline", {
      baton: null,
      requests: [{ type: "execute", stmt: { sql: "INSERT INTO t VALUES (?)", args: [text("gave up")] } }],
    });
    expect(busy.json().results[0]).toEqual({
      type: "error",
      error: { message: "SQLite error: database is locked", code: "SQLITE_BUSY" },
    });
    await holder.commit();
    // The same stream writes again once the lock is free, and the write is really committed.
    const again = await post(srv!, "/v2/pipeline", {
      baton: busy.json().baton,
      requests: [{ type: "execute", stmt: stmt("INSERT INTO t VALUES ('after')") }, { type: "close" }],
    });
    expect(again.json().results[0].type).toBe("ok");
    expect(await rows(c)).toEqual(["holder", "after"]);
  });
});
