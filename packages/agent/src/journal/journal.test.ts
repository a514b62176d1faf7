import { appendFile, mkdtemp, readdir, readFile, rm, stat, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { silentLogger } from "../log.ts";
import { Journal } from "./journal.ts";

let dir: string;
beforeEach(async () => {
  dir = await mkdtemp(join(tmpdir(), "pylon-journal-"));
});
afterEach(async () => {
  await rm(dir, { recursive: true, force: true });
});

const log = { kind: "log", level: "info", message: "hello" } as const;
const ok = { kind: "result", status: "succeeded", result: { n: 1 } } as const;

describe("Journal", () => {
  it("keeps accepted jobs, checkpoints and unacked events across a restart", async () => {
    const j = await Journal.open(dir, { log: silentLogger });
    await j.accept("job_1", "guest.power", { vmid: 101 }, 1);
    await j.checkpoint("job_1", "task", { upid: "UPID:pve:1" });
    await j.appendEvent("job_1", log);
    await j.appendEvent("job_1", log);
    j.ack("job_1", 1);
    await j.close();

    const again = await Journal.open(dir, { log: silentLogger });
    const job = again.get("job_1");
    expect(job).toMatchObject({
      kind: "guest.power",
      params: { vmid: 101 },
      lastSeq: 2,
      ackedSeq: 1,
      finished: false,
    });
    expect(job?.checkpoints.get("task")).toEqual({ upid: "UPID:pve:1" });
    expect(job?.outbox.map((e) => e.seq)).toEqual([2]);
    // seq continues where it stopped.
    expect((await again.appendEvent("job_1", ok)).seq).toBe(3);
    await again.close();
  });

  it("ignores a torn last line (crash mid-write) and keeps appending cleanly after it", async () => {
    const j = await Journal.open(dir, { log: silentLogger });
    await j.accept("job_1", "node.inventory", {}, 1);
    await j.appendEvent("job_1", log);
    await j.close();
    // The process died while writing the next record: half a line, no newline.
    await appendFile(join(dir, "journal.jsonl"), '{"t":"event","jobId":"job_1","seq":2,"at":1,"eve');

    const warnings: string[] = [];
    const spy = { ...silentLogger, warn: (m: string) => warnings.push(m) };
    const again = await Journal.open(dir, { log: spy });
    expect(warnings.join()).toMatch(/torn/);
    expect(again.get("job_1")?.lastSeq).toBe(1);
    await again.appendEvent("job_1", ok);
    await again.close();

    const lines = (await readFile(join(dir, "journal.jsonl"), "utf8")).trimEnd().split("\n");
    for (const line of lines) expect(() => JSON.parse(line)).not.toThrow();
    const third = await Journal.open(dir, { log: silentLogger });
    expect(third.get("job_1")).toMatchObject({ lastSeq: 2, finished: true });
    await third.close();
  });

  it("skips corrupt records in the middle but keeps the rest", async () => {
    const good = (o: object) => `${JSON.stringify(o)}\n`;
    await writeFile(
      join(dir, "journal.jsonl"),
      good({ t: "accept", jobId: "a", kind: "node.inventory", params: {}, attempt: 1, at: 1 }) +
        "garbage\n" +
        good({ t: "event", jobId: "a", seq: 1, at: 2, event: { kind: "log", level: "info", message: "x" } }) +
        good({ t: "launch", jobId: "a" }),
    );
    const j = await Journal.open(dir, { log: silentLogger });
    expect(j.get("a")?.lastSeq).toBe(1);
    await j.close();
  });

  it("remembers finished, acknowledged jobs as tombstones after compaction", async () => {
    const j = await Journal.open(dir, { log: silentLogger, compactAfter: 1000 });
    await j.accept("done_1", "node.inventory", {}, 1);
    await j.appendEvent("done_1", ok);
    expect(j.ack("done_1", 1)).toBe(true);
    await j.accept("live_1", "node.inventory", {}, 1);
    await j.compact();
    expect(j.get("done_1")).toBeUndefined();
    expect(j.isDone("done_1")).toBe(true);
    expect(j.get("live_1")).toBeDefined();
    await j.close();
    const again = await Journal.open(dir, { log: silentLogger });
    expect(again.isDone("done_1")).toBe(true);
    expect(again.get("live_1")?.finished).toBe(false);
    await again.close();
  });

  it("drops a refused job with its unacked events, for good (a tombstone survives a restart)", async () => {
    const j = await Journal.open(dir, { log: silentLogger });
    await j.accept("ref_1", "node.inventory", {}, 1);
    await j.appendEvent("ref_1", { kind: "log", level: "info", message: "x" });
    await j.accept("keep_1", "node.inventory", {}, 1);
    await j.drop("ref_1");
    expect(j.get("ref_1")).toBeUndefined();
    expect(j.isDone("ref_1")).toBe(true);
    await j.close();
    const again = await Journal.open(dir, { log: silentLogger });
    expect(again.get("ref_1")).toBeUndefined();
    expect(again.isDone("ref_1")).toBe(true);
    expect([...again.jobs()].map((e) => e.jobId)).toEqual(["keep_1"]);
    await again.close();
  });

  it("compacts by itself when settled jobs pile up, keeping the file small", async () => {
    const j = await Journal.open(dir, { log: silentLogger, compactAfter: 20 });
    for (let i = 0; i < 200; i++) {
      const id = `job_${i}`;
      await j.accept(id, "node.inventory", {}, 1);
      for (let k = 0; k < 5; k++) await j.appendEvent(id, { ...log, message: "x".repeat(200) });
      await j.appendEvent(id, ok);
      j.ack(id, 6);
    }
    await j.close();
    const size = (await stat(join(dir, "journal.jsonl"))).size;
    // 200 jobs × 7 records × ~250 bytes would be ~350 kB uncompacted.
    expect(size).toBeLessThan(60_000);
    const again = await Journal.open(dir, { log: silentLogger });
    expect([...again.jobs()]).toHaveLength(0);
    expect(again.isDone("job_0")).toBe(true);
    expect(again.isDone("job_199")).toBe(true);
    await again.close();
  });

  it("groups concurrent durable appends and keeps their order", async () => {
    const j = await Journal.open(dir, { log: silentLogger });
    await j.accept("a", "node.inventory", {}, 1);
    const seqs = await Promise.all(Array.from({ length: 50 }, () => j.appendEvent("a", log)));
    expect(seqs.map((s) => s.seq)).toEqual(Array.from({ length: 50 }, (_, i) => i + 1));
    await j.close();
    const again = await Journal.open(dir, { log: silentLogger });
    expect(again.get("a")?.outbox.map((e) => e.seq)).toEqual(seqs.map((s) => s.seq));
    await again.close();
  });

  it("writes the journal file with mode 0600", async () => {
    const j = await Journal.open(dir, { log: silentLogger });
    await j.close();
    expect((await stat(join(dir, "journal.jsonl"))).mode & 0o777).toBe(0o600);
  });

  describe("secret-bearing params", () => {
    const SECRET = "s3cret-db-password-42";
    const KEY =
      "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXktdjEAAAA-deploy-key\n-----END OPENSSH PRIVATE KEY-----";
    const deployParams = {
      appId: "app_1",
      name: "wiki",
      mode: "create",
      env: { GREETING: "hello" },
      secrets: { DB_PASSWORD: SECRET },
      deployKey: KEY,
      source: { type: "compose", compose: `services:\n  db:\n    environment:\n      PASSWORD: ${SECRET}\n` },
    };
    /** Every file of the state dir, as text. */
    const allFiles = async () =>
      (await Promise.all((await readdir(dir)).map((f) => readFile(join(dir, f), "utf8")))).join("\n");

    it("never writes them in clear, yet gives them back after a restart and a compaction", async () => {
      const j = await Journal.open(dir, { log: silentLogger });
      await j.accept("job_s", "app.deploy", deployParams, 1);
      expect(j.get("job_s")?.params).toEqual(deployParams);
      await j.appendEvent("job_s", log);
      await j.close();
      let files = await allFiles();
      expect(files).not.toContain(SECRET);
      expect(files).not.toContain("deploy-key");
      // What is not secret stays readable.
      expect(files).toContain('"GREETING":"hello"');
      expect((await stat(join(dir, "journal.key"))).mode & 0o777).toBe(0o600);

      const again = await Journal.open(dir, { log: silentLogger });
      expect(again.get("job_s")?.params).toEqual(deployParams);
      expect(again.get("job_s")?.unreadable).toBeUndefined();
      await again.compact();
      await again.close();
      files = await allFiles();
      expect(files).not.toContain(SECRET);
      const third = await Journal.open(dir, { log: silentLogger });
      expect(third.get("job_s")?.params).toEqual(deployParams);
      await third.close();
    });

    it("leaves params without secrets untouched and creates no key for them", async () => {
      const j = await Journal.open(dir, { log: silentLogger });
      await j.accept("job_p", "guest.power", { vmid: 101, type: "lxc", action: "start" }, 1);
      await j.close();
      expect(await readdir(dir)).not.toContain("journal.key");
    });

    it("marks a job whose sealed secrets cannot be opened (key lost) instead of running it without them", async () => {
      const j = await Journal.open(dir, { log: silentLogger });
      await j.accept("job_s", "app.deploy", deployParams, 1);
      await j.close();
      await rm(join(dir, "journal.key"));
      const warnings: string[] = [];
      const spy = {
        ...silentLogger,
        warn: (m: string, f?: object) => warnings.push(`${m} ${JSON.stringify(f)}`),
      };
      const again = await Journal.open(dir, { log: spy });
      expect(again.get("job_s")?.unreadable).toMatch(/journal key .* missing/);
      expect(JSON.stringify(again.get("job_s")?.params)).not.toContain(SECRET);
      expect(warnings.join()).toMatch(/sealed secrets cannot be read back/);
      await again.close();
    });

    it("refuses a sealed part moved to another job", async () => {
      const j = await Journal.open(dir, { log: silentLogger });
      await j.accept("job_a", "app.deploy", deployParams, 1);
      await j.close();
      const text = await readFile(join(dir, "journal.jsonl"), "utf8");
      await writeFile(join(dir, "journal.jsonl"), text.replaceAll("job_a", "job_b"));
      const again = await Journal.open(dir, { log: silentLogger });
      expect(again.get("job_b")?.unreadable).toMatch(/do not open/);
      await again.close();
    });
  });
});
