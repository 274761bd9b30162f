/**
 * Compaction on brokers over PostgreSQL (#17): two real brokers share a database, both
 * run maintenance on a short timer (one at a time per partition compacts); records
 * produced by the Java client and kafkajs to a compacted topic end up one per key with
 * tombstones gone, offsets kept, and both brokers serve the same compacted log.
 */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { Kafka, logLevel } from "kafkajs";
import { PostgresServer } from "../scripts/postgres/server.js";
import type { BrokerProcess } from "./helpers/broker-process.js";
import { waitFor } from "./helpers/groups.js";
import { startClusterNode } from "./helpers/postgres-cluster.js";
import { type FetchedRecord, fetchAll } from "./helpers/wire-data.js";
import { type ClientRecord, checkCompacted, createTopics } from "./interop/scenarios.js";
import { JAVA_CHECKS_CLIENT, runJava } from "./java/java-driver.js";

let pg: PostgresServer;
const brokers: BrokerProcess[] = [];
let kafka: Kafka;

before(async () => {
  pg = await PostgresServer.start();
  const url = await pg.createDatabase("compaction");
  for (const id of [1, 2]) {
    brokers.push(await startClusterNode(url, id, {}, ["log.retention.check.interval.ms=200"]));
  }
  kafka = new Kafka({
    clientId: "pg-compaction",
    brokers: brokers.map((b) => b.bootstrap),
    logLevel: logLevel.NOTHING,
  });
});

after(async () => {
  for (const b of brokers) if (b.isAlive()) await b.stop();
  await pg?.stop();
});

/** 8 KiB values: two records fill a 16 KiB segment, so sends roll segments. */
const big = (i: number) => ({ key: `big${i % 4}`, value: `${i}:`.padEnd(8192, "x") });

function latest(records: FetchedRecord[]): Map<string, string | null> {
  const m = new Map<string, string | null>();
  for (const r of records) m.set(r.key ?? "", r.value);
  return m;
}

test("Java and kafkajs records on a compacted topic over PostgreSQL: one per key, tombstones gone, offsets kept, the same on every broker", async () => {
  const topic = "compacted";
  await createTopics(kafka, [
    {
      topic,
      numPartitions: 1,
      config: {
        "cleanup.policy": "compact",
        "segment.bytes": "16384",
        "min.cleanable.dirty.ratio": "0.01",
        "delete.retention.ms": "0",
      },
    },
  ]);
  // The Java client writes k1, k2, k1, a tombstone for k2, k3 and reads them back.
  const first = brokers[0] as BrokerProcess;
  checkCompacted(
    (await runJava(JAVA_CHECKS_CLIENT, "Scenarios", [
      "compacted",
      first.bootstrap,
      topic,
    ])) as ClientRecord[],
  );
  const producer = kafka.producer();
  await producer.connect();
  for (let i = 0; i < 12; i++) await producer.send({ topic, messages: [big(i)] });
  // Roll past everything above so the segments holding it can be cleaned.
  for (let i = 0; i < 4; i++)
    await producer.send({ topic, messages: [{ key: "roll", value: big(i).value }] });
  await producer.disconnect();
  const end = 5n + 12n + 4n;

  const expectedLatest = new Map<string, string | null>([
    ["k1", "v2"],
    ["k3", "v1"],
    ...Array.from({ length: 4 }, (_, k): [string, string] => [`big${k}`, big(8 + k).value]),
    ["roll", big(3).value],
  ]);
  // Each broker's maintenance timer may clean, so the log can still be changing between
  // two reads (a pass removing older "roll" records): wait until both brokers serve the
  // same log, with one record per key and no tombstone.
  const view = (r: { records: FetchedRecord[] }) => r.records.map((x) => `${x.offset}:${x.key}`);
  let reads: Awaited<ReturnType<typeof fetchAll>>[] = [];
  await waitFor(
    "the brokers' cleaning to leave one record per key and no tombstone, the same on both",
    async () => {
      reads = await Promise.all(brokers.map((b) => fetchAll(b.port, topic, 0)));
      const keys = (reads[0]?.records ?? []).map((r) => r.key);
      const once = (k: string) => keys.filter((x) => x === k).length === 1;
      const same = reads.every((r) => view(r).join() === view(reads[0] ?? r).join());
      return (
        same && !keys.includes("k2") && ["k1", "k3", "big0", "big1", "big2", "big3"].every(once)
      );
    },
    30_000,
    () => reads.map(view),
  );
  for (const read of reads) {
    assert.equal(read.highWatermark, end, "compaction keeps the log end");
    assert.deepEqual(latest(read.records), expectedLatest);
    const offsets = read.records.map((r) => r.offset);
    assert.deepEqual(
      offsets,
      [...offsets].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0)),
      "offsets keep their order",
    );
    assert.equal(read.records.find((r) => r.key === "k1")?.offset, 2n, "k1 keeps its offset");
  }
});
