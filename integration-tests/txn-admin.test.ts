/**
 * Transaction administration against a real `logbook start` process: DescribeTransactions
 * and ListTransactions (over the wire; kafkajs has no admin call for them) for a kafkajs
 * transaction with data partitions and sendOffsets, whose group shows as its
 * `__consumer_offsets` partition as in Kafka; a KIP-360 InitProducerId retry recognised
 * after a restart; and transactional.id.expiration.ms set small expiring an idle id,
 * durably.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import {
  createDescribeTransactionsRequest,
  createInitProducerIdRequest,
  createListTransactionsRequest,
  DescribeTransactionsApi,
  type DescribeTransactionsResponseTransactionState,
  ErrorCode,
  InitProducerIdApi,
  ListTransactionsApi,
} from "@logbook/protocol";
import { Kafka, logLevel } from "kafkajs";
import { type BrokerProcess, removeDir, startBroker, tempDir } from "./helpers/broker-process.js";
import { createTopic, waitFor } from "./helpers/groups.js";
import { WireClient } from "./helpers/wire-client.js";

async function describeTxn(
  port: number,
  transactionalId: string,
): Promise<DescribeTransactionsResponseTransactionState> {
  const c = await WireClient.connect(port);
  try {
    const r = await c.request(
      DescribeTransactionsApi,
      0,
      createDescribeTransactionsRequest({ transactionalIds: [transactionalId] }),
    );
    const s = r.body.transactionStates[0];
    assert.ok(s);
    return s;
  } finally {
    c.close();
  }
}

/** InitProducerId v4 (KIP-360 fields; -1/-1 for a producer starting afresh). */
async function initProducerId(
  port: number,
  transactionalId: string,
  producerId = -1n,
  producerEpoch = -1,
) {
  const c = await WireClient.connect(port);
  try {
    const r = await c.request(
      InitProducerIdApi,
      4,
      createInitProducerIdRequest({
        transactionalId,
        transactionTimeoutMs: 60_000,
        producerId,
        producerEpoch,
      }),
    );
    return r.body;
  } finally {
    c.close();
  }
}

async function stopAndClean(broker: BrokerProcess): Promise<void> {
  if (broker.isAlive()) assert.equal(await broker.stop(), 0, broker.stderr());
  await removeDir(broker.dataDir);
}

test("DescribeTransactions/ListTransactions show a kafkajs transaction's partitions and its group's __consumer_offsets partition", async () => {
  const broker = await startBroker();
  try {
    const kafka = new Kafka({
      clientId: "txn-admin-it",
      brokers: [broker.bootstrap],
      logLevel: logLevel.NOTHING,
      retry: { retries: 20, initialRetryTime: 100, maxRetryTime: 1000 },
    });
    await createTopic(kafka, "adm-out", 3);
    const producer = kafka.producer({
      transactionalId: "tx-admin",
      idempotent: true,
      maxInFlightRequests: 1,
    });
    await producer.connect();
    try {
      const t = await producer.transaction();
      await t.send({
        topic: "adm-out",
        messages: [
          { partition: 2, value: "a" },
          { partition: 0, value: "b" },
        ],
      });
      await t.sendOffsets({
        consumerGroupId: "g-admin",
        topics: [{ topic: "adm-out", partitions: [{ partition: 1, offset: "3" }] }],
      });
      const open = await describeTxn(broker.port, "tx-admin");
      assert.equal(open.errorCode, ErrorCode.NONE);
      assert.equal(open.transactionState, "Ongoing");
      assert.ok(open.transactionStartTimeMs > 0n);
      assert.deepEqual(
        open.topics.map((x) => [x.topic, x.partitions]),
        [
          ["__consumer_offsets", [0]],
          ["adm-out", [0, 2]],
        ],
      );
      const c = await WireClient.connect(broker.port);
      try {
        const listed = await c.request(
          ListTransactionsApi,
          1,
          createListTransactionsRequest({ stateFilters: ["Ongoing"], durationFilter: -1n }),
        );
        assert.equal(listed.body.errorCode, ErrorCode.NONE);
        assert.deepEqual(
          listed.body.transactionStates.map((s) => [
            s.transactionalId,
            s.producerId,
            s.transactionState,
          ]),
          [["tx-admin", open.producerId, "Ongoing"]],
        );
      } finally {
        c.close();
      }
      await t.commit();
      const done = await describeTxn(broker.port, "tx-admin");
      assert.deepEqual(
        [done.transactionState, done.producerId, done.topics.length],
        ["CompleteCommit", open.producerId, 0],
      );
    } finally {
      await producer.disconnect();
    }
  } finally {
    await stopAndClean(broker);
  }
});

test("KIP-360: after a restart, a retried epoch bump gets the same answer, not PRODUCER_FENCED", async () => {
  const dataDir = await tempDir();
  let broker = await startBroker({ dataDir });
  try {
    const first = await initProducerId(broker.port, "tx-retry");
    assert.equal(first.errorCode, ErrorCode.NONE);
    const bumped = await initProducerId(
      broker.port,
      "tx-retry",
      first.producerId,
      first.producerEpoch,
    );
    assert.deepEqual(
      [bumped.errorCode, bumped.producerId, bumped.producerEpoch],
      [ErrorCode.NONE, first.producerId, first.producerEpoch + 1],
    );
    assert.equal(await broker.stop(), 0, broker.stderr());
    broker = await startBroker({ dataDir });
    const retry = await initProducerId(
      broker.port,
      "tx-retry",
      first.producerId,
      first.producerEpoch,
    );
    assert.deepEqual(
      [retry.errorCode, retry.producerId, retry.producerEpoch],
      [ErrorCode.NONE, bumped.producerId, bumped.producerEpoch],
    );
  } finally {
    await stopAndClean(broker);
  }
});

test("transactional.id.expiration.ms: an idle transactional id is expired, and stays so after a restart", async () => {
  const dataDir = await tempDir();
  const settings = {
    args: ["-o", "transactional.id.expiration.ms=1000"],
    env: { LOGBOOK_TRANSACTION_REMOVE_EXPIRED_TRANSACTION_CLEANUP_INTERVAL_MS: "200" },
  };
  let broker = await startBroker({ dataDir, ...settings });
  try {
    const idle = await initProducerId(broker.port, "tx-idle");
    assert.equal(idle.errorCode, ErrorCode.NONE);
    assert.equal((await describeTxn(broker.port, "tx-idle")).transactionState, "Empty");
    await waitFor(
      "tx-idle to expire",
      async () =>
        (await describeTxn(broker.port, "tx-idle")).errorCode ===
        ErrorCode.TRANSACTIONAL_ID_NOT_FOUND,
      15_000,
      () => broker.stderr().split("\n").slice(-5),
    );
    assert.match(broker.stderr(), /expired transactional ids/);
    assert.equal(await broker.stop(), 0, broker.stderr());
    // Restarted with the default expiration: the tombstone keeps the id forgotten.
    broker = await startBroker({ dataDir });
    assert.equal(
      (await describeTxn(broker.port, "tx-idle")).errorCode,
      ErrorCode.TRANSACTIONAL_ID_NOT_FOUND,
    );
    // The id starts over with a fresh producer id.
    const again = await initProducerId(broker.port, "tx-idle");
    assert.deepEqual([again.errorCode, again.producerEpoch], [ErrorCode.NONE, 0]);
    assert.notEqual(again.producerId, idle.producerId);
  } finally {
    await stopAndClean(broker);
  }
});
