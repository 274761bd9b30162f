/**
 * Feature levels: UpdateFeatures changes them in the metadata log, so a restart keeps
 * them and the epoch; transaction.version decides whether EndTxn v5 bumps the epoch
 * (transactions v2) or answers as v1 does.
 */
import assert from "node:assert/strict";
import { test } from "node:test";
import {
  AddPartitionsToTxnApi,
  ApiVersionsApi,
  CreateTopicsApi,
  createAddPartitionsToTxnRequest,
  createAddPartitionsToTxnRequestTopic,
  createApiVersionsRequest,
  createCreateTopicsRequest,
  createCreateTopicsRequestCreatableTopic,
  createEndTxnRequest,
  createInitProducerIdRequest,
  createUpdateFeaturesRequest,
  createUpdateFeaturesRequestFeatureUpdateKey,
  EndTxnApi,
  ErrorCode,
  InitProducerIdApi,
  UpdateFeaturesApi,
} from "@logbook/protocol";
import { FeatureLevels, memoryFeatureStore, UpgradeType } from "../src/features.js";
import { startTestBroker, type TestBroker } from "./helpers/admin-broker.js";

const software = { clientSoftwareName: "logbook-test", clientSoftwareVersion: "1.0.0" };

const setTransactionVersion = (b: TestBroker, level: number, upgradeType: number) =>
  b.client.send(
    UpdateFeaturesApi,
    1,
    createUpdateFeaturesRequest({
      featureUpdates: [
        createUpdateFeaturesRequestFeatureUpdateKey({
          feature: "transaction.version",
          maxVersionLevel: level,
          upgradeType,
        }),
      ],
    }),
  );

async function finalized(b: TestBroker): Promise<{ epoch: bigint; tv: number | undefined }> {
  const r = await b.client.send(ApiVersionsApi, 4, createApiVersionsRequest(software));
  const tv = r.finalizedFeatures.find((f) => f.name === "transaction.version");
  return { epoch: r.finalizedFeaturesEpoch, tv: tv?.maxVersionLevel };
}

test("a level set by UpdateFeatures and its epoch survive a restart", async () => {
  const b = await startTestBroker();
  try {
    assert.deepEqual(await finalized(b), { epoch: 0n, tv: 2 });
    const down = await setTransactionVersion(b, 1, UpgradeType.SAFE_DOWNGRADE);
    assert.deepEqual(
      [down.errorCode, down.results.map((r) => [r.feature, r.errorCode])],
      [ErrorCode.NONE, [["transaction.version", ErrorCode.NONE]]],
    );
    assert.deepEqual(await finalized(b), { epoch: 1n, tv: 1 });
    await b.restart();
    assert.deepEqual(await finalized(b), { epoch: 1n, tv: 1 });
    assert.equal(b.broker.features.transactionsV2, false);
    const up = await setTransactionVersion(b, 2, UpgradeType.UPGRADE);
    assert.equal(up.errorCode, ErrorCode.NONE);
    await b.restart();
    assert.deepEqual(await finalized(b), { epoch: 2n, tv: 2 });
  } finally {
    await b.stop();
  }
});

test("with transaction.version 1, EndTxn v5 ends the transaction without an epoch bump", async () => {
  const b = await startTestBroker();
  try {
    await setTransactionVersion(b, 1, UpgradeType.SAFE_DOWNGRADE);
    await b.client.send(
      CreateTopicsApi,
      4,
      createCreateTopicsRequest({
        timeoutMs: 5000,
        topics: [
          createCreateTopicsRequestCreatableTopic({
            name: "t",
            numPartitions: 1,
            replicationFactor: 1,
          }),
        ],
      }),
    );
    const init = await b.client.send(
      InitProducerIdApi,
      5,
      createInitProducerIdRequest({ transactionalId: "tv1", transactionTimeoutMs: 10_000 }),
    );
    const producer = { producerId: init.producerId, producerEpoch: init.producerEpoch };
    const added = await b.client.send(
      AddPartitionsToTxnApi,
      3,
      createAddPartitionsToTxnRequest({
        v3AndBelowTransactionalId: "tv1",
        v3AndBelowProducerId: producer.producerId,
        v3AndBelowProducerEpoch: producer.producerEpoch,
        v3AndBelowTopics: [createAddPartitionsToTxnRequestTopic({ name: "t", partitions: [0] })],
      }),
    );
    assert.equal(added.resultsByTopicV3AndBelow[0]?.resultsByPartition[0]?.partitionErrorCode, 0);
    const ended = await b.client.send(
      EndTxnApi,
      5,
      createEndTxnRequest({ transactionalId: "tv1", ...producer, committed: true }),
    );
    assert.deepEqual(
      [ended.errorCode, ended.producerId, ended.producerEpoch],
      [ErrorCode.NONE, producer.producerId, producer.producerEpoch],
    );
  } finally {
    await b.stop();
  }
});

test("UpdateFeatures checks: range, upgrade type, downgrades, all or nothing", async () => {
  const store = memoryFeatureStore();
  const f = new FeatureLevels(store);
  const tv = (level: number, upgradeType: number) => ({
    feature: "transaction.version",
    level,
    upgradeType,
  });
  assert.match(String(await f.update([tv(3, 1)], false)), /supports levels 0-2/);
  assert.match(String(await f.update([tv(1, 1)], false)), /downgrade/);
  assert.match(String(await f.update([tv(1, 4)], false)), /upgrade type/);
  assert.match(String(await f.update([{ ...tv(1, 1), feature: "nope" }], false)), /not support/);
  assert.match(
    String(await f.update([{ feature: "metadata.version", level: 20, upgradeType: 2 }], false)),
    /cannot be downgraded/,
  );
  // streams.version is not implemented here: only level 0 is accepted.
  assert.match(
    String(await f.update([{ feature: "streams.version", level: 1, upgradeType: 1 }], false)),
    /supports levels 0-0/,
  );
  // One bad update refuses the whole request; validate only changes nothing.
  assert.notEqual(await f.update([tv(1, 2), { ...tv(1, 1), feature: "nope" }], false), null);
  assert.equal(await f.update([tv(0, 3)], true), null);
  assert.deepEqual([f.level("transaction.version"), f.epoch], [2, 0n]);
  // Level 0 removes it from the finalized list.
  assert.equal(await f.update([tv(0, 3)], false), null);
  assert.deepEqual([f.level("transaction.version"), f.epoch], [0, 1n]);
  assert.equal(
    f.finalized().find((x) => x.name === "transaction.version"),
    undefined,
  );
});
