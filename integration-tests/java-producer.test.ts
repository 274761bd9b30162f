/**
 * The Java client's KafkaProducer (kafka-clients 4.x, or the version LOGBOOK_JAVA_CLIENT
 * names) against Logbook and against the reference Kafka, same assertions for both: each
 * of the four codecs (the idempotent default on), and transactions committed and
 * aborted, and exactly-once consume-transform-produce. What the client reads back is
 * checked, and so are the batches as each broker stored them (read over the wire).
 * The checks run in integration-tests/java/ProducerChecks.java.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import { removeDir, startBroker } from "./helpers/broker-process.js";
import { fetchAll } from "./helpers/wire-data.js";
import { CODECS, COUNT_PER_CODEC, codecValue } from "./interop/scenarios.js";
import { logbookAndKafka } from "./java/both-brokers.js";
import { JAVA_CHECKS_CLIENT, runJava } from "./java/java-driver.js";

const { check } = logbookAndKafka();
const CODEC_IDS = { gzip: 1, snappy: 2, lz4: 3, zstd: 4 } as const;

for (const codec of CODECS) {
  check(`${codec}: records read back, batches stored ${codec}-compressed`, async (t) => {
    const topic = `java-${codec}`;
    const read = (await runJava(JAVA_CHECKS_CLIENT, "ProducerChecks", [
      `codec-${codec}`,
      t.bootstrap,
      topic,
    ])) as { key: string; value: string }[];
    const expected = Array.from(
      { length: COUNT_PER_CODEC },
      (_, i) => `k${i % 5}:${codecValue(codec, i)}`,
    );
    assert.deepEqual(
      read.map((r) => `${r.key}:${r.value}`),
      expected,
    );
    const { records, batches } = await fetchAll(t.port, topic, 0);
    assert.deepEqual(
      records.map((r) => `${r.key}:${r.value}`),
      expected,
      "stored once each, in order",
    );
    assert.deepEqual([...new Set(batches.map((b) => b.compression))], [CODEC_IDS[codec]]);
    assert.ok(
      batches.every((b) => b.producerId >= 0n && b.baseSequence >= 0),
      "idempotent by default",
    );
    assert.equal(batches[0]?.baseSequence, 0);
  });
}

check("transactions: commit, abort, commit; read_committed sees only the committed", async (t) => {
  const values = await runJava(JAVA_CHECKS_CLIENT, "ProducerChecks", [
    "transactions",
    t.bootstrap,
    "java-txn",
  ]);
  assert.deepEqual(values, ["c-0", "c-1", "c-2", "c-end"]);
  const { records, batches } = await fetchAll(t.port, "java-txn", 0);
  const markers = new Set(batches.filter((b) => b.isControl).map((b) => b.baseOffset));
  assert.deepEqual(
    records.filter((r) => !markers.has(r.offset)).map((r) => r.value),
    ["c-0", "c-1", "c-2", "a-0", "a-1", "a-2", "c-end"],
    "aborted records stored, filtered only for read_committed",
  );
  assert.ok(
    batches.filter((b) => !b.isControl).every((b) => b.isTransactional),
    "data batches are transactional",
  );
  assert.equal(batches.filter((b) => b.isControl).length, 3, "one marker per transaction");
});

check("exactly-once consume-transform-produce: offsets committed in the transaction", async (t) => {
  const r = await runJava(JAVA_CHECKS_CLIENT, "ProducerChecks", [
    "consume-transform-produce",
    t.bootstrap,
    "eos",
  ]);
  const upper = ["V-0", "V-1", "V-2", "V-3", "V-4", "V-5"];
  assert.deepEqual(r, {
    // The group's offset after each transaction: the aborted one leaves it at 3.
    committedAfterEach: [3, 3, 6],
    outCommitted: upper,
  });
  const { records, batches } = await fetchAll(t.port, "eos-out", 0);
  const markers = new Set(batches.filter((b) => b.isControl).map((b) => b.baseOffset));
  assert.deepEqual(
    records.filter((r) => !markers.has(r.offset)).map((r) => r.value),
    [...upper.slice(0, 3), ...upper.slice(3), ...upper.slice(3)],
    "the aborted attempt is stored, then the redone one",
  );
});

check("transactions v2: the client uses them, and every end bumps the epoch", async (t) => {
  const r = (await runJava(JAVA_CHECKS_CLIENT, "ProducerChecks", [
    "transactions-v2",
    t.bootstrap,
    "java-tv2",
  ])) as { transactionV2: boolean; epochs: number[]; committed: string[]; groupOffset: number };
  // The client turns transactions v2 on from the finalized transaction.version, and
  // then sends no AddPartitionsToTxn or AddOffsetsToTxn (Produce v12 and
  // TxnOffsetCommit v5 add implicitly) and EndTxn v5.
  assert.equal(r.transactionV2, true);
  const first = r.epochs[0] ?? -1;
  assert.deepEqual(
    r.epochs,
    [0, 1, 2, 3].map((i) => first + i),
    "EndTxn v5 answers a bumped epoch each time",
  );
  assert.deepEqual(r.committed, ["c-0", "c-2"]);
  assert.equal(r.groupOffset, 3, "the last committed transaction's offset");
  // As stored: each transaction's data at its epoch, its marker at the next.
  const { batches } = await fetchAll(t.port, "java-tv2", 0);
  assert.deepEqual(
    batches.map((b) => [b.isControl ? "marker" : "data", b.producerEpoch]),
    [0, 1, 2].flatMap((i) => [
      ["data", first + i],
      ["marker", first + i + 1],
    ]),
  );
});

test("transactions v2 on the wire: no AddPartitionsToTxn or AddOffsetsToTxn, EndTxn v5", async () => {
  // Logbook's debug log has one line per request: count them by API and version.
  const b = await startBroker({ args: ["--log-level", "debug"] });
  try {
    await runJava(JAVA_CHECKS_CLIENT, "ProducerChecks", [
      "transactions-v2",
      b.bootstrap,
      "tv2-wire",
    ]);
    const requests = b
      .stderr()
      .split("\n")
      .filter((l) => l.startsWith("{"))
      .map((l) => JSON.parse(l) as { msg: string; api?: string; version?: number })
      .filter((l) => l.msg === "request");
    const versions = (api: string) =>
      [...new Set(requests.filter((r) => r.api === api).map((r) => r.version))].sort();
    assert.deepEqual(versions("AddPartitionsToTxn"), [], "partitions join with their Produce");
    assert.deepEqual(versions("AddOffsetsToTxn"), [], "the group joins with TxnOffsetCommit");
    assert.deepEqual(versions("EndTxn"), [5]);
    assert.equal(requests.filter((r) => r.api === "EndTxn").length, 3, "one per transaction");
    assert.ok(versions("TxnOffsetCommit").every((v) => v !== undefined && v >= 5));
    assert.ok(
      versions("Produce").length > 0 &&
        versions("Produce").every((v) => v !== undefined && v >= 12),
    );
  } finally {
    assert.equal(await b.stop(), 0, b.stderr().slice(-2000));
    await removeDir(b.dataDir);
  }
});

check(
  "a hanging transaction aborted with Admin.abortTransaction (WriteTxnMarkers to the leader)",
  async (t) => {
    const r = await runJava(JAVA_CHECKS_CLIENT, "ProducerChecks", [
      "abort-hanging",
      t.bootstrap,
      "java-hanging",
    ]);
    assert.deepEqual(r, { openAt: 0, openAfter: 0, readCommitted: ["after"] });
    const { batches } = await fetchAll(t.port, "java-hanging", 0);
    assert.equal(batches.filter((b) => b.isControl).length, 1, "one ABORT marker");
  },
);
