/** read_committed after a restart: aborted_transactions come from the log's on-disk .txnindex files. */
import assert from "node:assert/strict";
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, it } from "node:test";
import { fileURLToPath } from "node:url";
import {
  buildBatch,
  ErrorCode,
  FetchApi,
  type FetchResponsePartitionData,
  ProduceApi,
} from "@logbook/protocol";
import { InternalLog, openStorageEngine, silentLogger } from "@logbook/storage";
import { legacyAbortedKey, PRODUCER_SNAPSHOTS_PARTITION } from "../src/data/producer-snapshots.js";
import type { TxnProduceCheck } from "../src/txn/contracts.js";
import {
  type DataTestBroker,
  dataTestBroker,
  idempotentBatch,
  records,
  tempEngine,
} from "./helpers/data-broker.js";
import { fetchedPartitions, fetchRequest, produceRequest } from "./helpers/data-requests.js";

const TOPIC = "x";
const TP = { topic: TOPIC, partition: 0 };
const ALLOW_ALL: TxnProduceCheck = { checkTransactionalProduce: () => ErrorCode.NONE };

async function start(url: string): Promise<DataTestBroker> {
  const b = await dataTestBroker(url);
  b.topics.add(TOPIC, 1);
  b.dataPlane.setTxnProduceCheck(ALLOW_ALL);
  return b;
}

/** The producers' transactional id: Kafka refuses transactional batches without one. */
const TXN_ID = "txn";

async function produce(b: DataTestBroker, batch: Buffer): Promise<bigint> {
  const res = await b.call(ProduceApi, 9, produceRequest(TOPIC, 0, batch, -1, TXN_ID));
  const p = res.responses[0]?.partitionResponses[0];
  assert.equal(p?.errorCode, ErrorCode.NONE);
  return p?.baseOffset ?? -1n;
}

function txnBatch(producerId: bigint, baseSequence: number, n: number): Promise<Buffer> {
  return buildBatch(records(n, `p${producerId}-`), {
    isTransactional: true,
    producerId,
    producerEpoch: 0,
    baseSequence,
  });
}

async function endTxn(b: DataTestBroker, producerId: bigint, commit: boolean): Promise<void> {
  const codes = await b.dataPlane.writeMarkers([TP], {
    producerId,
    producerEpoch: 0,
    commit,
    coordinatorEpoch: 1,
  });
  assert.equal(codes.get(`${TOPIC}/0`), ErrorCode.NONE);
}

async function fetchCommitted(
  b: DataTestBroker,
  offset: bigint,
): Promise<FetchResponsePartitionData> {
  const res = await b.call(
    FetchApi,
    12,
    fetchRequest([{ topic: TOPIC, partition: 0, offset }], { isolationLevel: 1 }),
  );
  const p = fetchedPartitions(res).get(`${TOPIC}:0`);
  if (p === undefined) throw new Error("partition missing");
  assert.equal(p.errorCode, ErrorCode.NONE);
  return p;
}

function aborts(p: FetchResponsePartitionData): [bigint, bigint][] {
  return (p.abortedTransactions ?? []).map((a) => [a.producerId, a.firstOffset]);
}

/** The keys the producer-snapshot log holds after replay (tombstones remove keys). */
async function snapshotKeys(url: string): Promise<Set<string>> {
  const storage = await openStorageEngine(url, { logger: silentLogger, maintenanceIntervalMs: 0 });
  try {
    const log = await InternalLog.open(
      storage,
      PRODUCER_SNAPSHOTS_PARTITION.topic,
      PRODUCER_SNAPSHOTS_PARTITION.partition,
    );
    const keys = new Set<string>();
    await log.replay((r) => {
      if (r.value === null) keys.delete(r.key.toString());
      else keys.add(r.key.toString());
    });
    return keys;
  } finally {
    await storage.close();
  }
}

describe("aborted transactions across a restart", () => {
  it("a read_committed fetch after a restart lists the aborted transactions from the on-disk index; a legacy snapshot range is ignored and deleted", async () => {
    const tmp = await tempEngine();
    try {
      let b = await start(tmp.url);
      await produce(b, await buildBatch(records(2, "plain"))); // 0-1
      assert.equal(await produce(b, await txnBatch(7n, 0, 3)), 2n); // 2-4
      await endTxn(b, 7n, false); // 5: abort
      assert.equal(await produce(b, await txnBatch(7n, 3, 1)), 6n);
      await endTxn(b, 7n, true); // 7: commit
      assert.equal(await produce(b, await txnBatch(8n, 0, 1)), 8n);
      await endTxn(b, 8n, false); // 9: abort
      await b.close();

      // Both ABORT markers are in the (single) segment's transaction index on disk.
      const dir = join(fileURLToPath(tmp.url), `${TOPIC}-0`);
      const txnIndexes = (await readdir(dir)).filter((n) => n.endsWith(".txnindex"));
      assert.equal(txnIndexes.length, 1);
      const bytes = await readFile(join(dir, txnIndexes[0] as string));
      assert.equal(bytes.length, 2 * 34, "two 34-byte entries");

      // A broker of the previous version kept aborted ranges beside the producer snapshot;
      // plant a bogus one: the new broker must not use it.
      const legacy = Buffer.alloc(14 + 24);
      legacy.writeBigInt64BE(10n, 2);
      legacy.writeInt32BE(1, 10);
      legacy.writeBigInt64BE(99n, 14);
      legacy.writeBigInt64BE(0n, 22);
      legacy.writeBigInt64BE(1n, 30);
      const storage = await openStorageEngine(tmp.url, { logger: silentLogger });
      const snapshots = await InternalLog.open(
        storage,
        PRODUCER_SNAPSHOTS_PARTITION.topic,
        PRODUCER_SNAPSHOTS_PARTITION.partition,
      );
      await snapshots.append([{ key: Buffer.from(legacyAbortedKey(TOPIC, 0)), value: legacy }]);
      await storage.close();
      assert.ok((await snapshotKeys(tmp.url)).has(legacyAbortedKey(TOPIC, 0)));

      b = await start(tmp.url);
      let p = await fetchCommitted(b, 0n);
      assert.equal(p.lastStableOffset, 10n);
      assert.deepEqual(aborts(p), [
        [7n, 2n],
        [8n, 8n],
      ]);
      p = await fetchCommitted(b, 6n);
      assert.deepEqual(aborts(p), [[8n, 8n]], "producer 7's abort ended at offset 5");
      // A producer-state change makes the partition's next snapshot, which deletes the
      // legacy record.
      await produce(b, await idempotentBatch(9n, 0, 0));
      await b.close();
      const keys = await snapshotKeys(tmp.url);
      assert.ok(keys.has(`${TOPIC}/0`));
      assert.ok(!keys.has(legacyAbortedKey(TOPIC, 0)), "the legacy record was deleted");
    } finally {
      await tmp.remove();
    }
  });
});
