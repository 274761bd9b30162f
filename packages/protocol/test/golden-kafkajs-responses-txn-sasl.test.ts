/**
 * Golden tests against kafkajs 2.2.4's response decoders: transactions, SASL and
 * ApiVersions.
 * Each response is built with our `create`, framed and encoded with our encoders, read back
 * the way kafkajs's connection does and decoded by kafkajs (`decode`, then `parse`), which
 * must see the same values and read every byte of the body.
 */
import { describe, it } from "node:test";
import {
  AddOffsetsToTxnApi,
  AddPartitionsToTxnApi,
  ApiVersionsApi,
  apiCodecs,
  createAddOffsetsToTxnResponse,
  createAddPartitionsToTxnResponse,
  createAddPartitionsToTxnResponsePartitionResult,
  createAddPartitionsToTxnResponseTopicResult,
  createApiVersionsResponse,
  createApiVersionsResponseApiVersion,
  createEndTxnResponse,
  createInitProducerIdResponse,
  createSaslAuthenticateResponse,
  createSaslHandshakeResponse,
  createTxnOffsetCommitResponse,
  createTxnOffsetCommitResponsePartition,
  createTxnOffsetCommitResponseTopic,
  EndTxnApi,
  InitProducerIdApi,
  SaslAuthenticateApi,
  SaslHandshakeApi,
  TxnOffsetCommitApi,
} from "../src/index.js";
import { assertFields, BIG, throttle, toKafkajs, versions } from "./helpers/kafkajs.js";

describe("golden kafkajs responses: InitProducerId", () => {
  for (const v of versions(0, 1)) {
    it(`v${v}`, async () => {
      const value = createInitProducerIdResponse({
        throttleTimeMs: 7,
        producerId: BIG,
        producerEpoch: 3,
      });
      const seen = await toKafkajs(InitProducerIdApi, "initProducerId", v, value);
      assertFields(seen, {
        ...throttle(7, 1, v),
        errorCode: 0,
        producerId: String(BIG),
        producerEpoch: 3,
      });
    });
  }
});

describe("golden kafkajs responses: AddPartitionsToTxn", () => {
  for (const v of versions(0, 1)) {
    it(`v${v}`, async () => {
      const result = (index: number) =>
        createAddPartitionsToTxnResponsePartitionResult({
          partitionIndex: index,
          partitionErrorCode: 0,
        });
      const value = createAddPartitionsToTxnResponse({
        throttleTimeMs: 13,
        resultsByTopicV3AndBelow: [
          createAddPartitionsToTxnResponseTopicResult({
            name: "orders",
            resultsByPartition: [result(0), result(3)],
          }),
          createAddPartitionsToTxnResponseTopicResult({
            name: "audit-log",
            resultsByPartition: [result(1)],
          }),
        ],
      });
      const seen = await toKafkajs(AddPartitionsToTxnApi, "addPartitionsToTxn", v, value);
      assertFields(seen, {
        ...throttle(13, 1, v),
        errors: [
          {
            topic: "orders",
            partitionErrors: [
              { partition: 0, errorCode: 0 },
              { partition: 3, errorCode: 0 },
            ],
          },
          { topic: "audit-log", partitionErrors: [{ partition: 1, errorCode: 0 }] },
        ],
      });
    });
  }
});

describe("golden kafkajs responses: AddOffsetsToTxn and EndTxn", () => {
  for (const v of versions(0, 1)) {
    it(`AddOffsetsToTxn v${v}`, async () => {
      const value = createAddOffsetsToTxnResponse({ throttleTimeMs: 21, errorCode: 0 });
      const seen = await toKafkajs(AddOffsetsToTxnApi, "addOffsetsToTxn", v, value);
      assertFields(seen, { ...throttle(21, 1, v), errorCode: 0 });
    });
    it(`EndTxn v${v}`, async () => {
      const value = createEndTxnResponse({ throttleTimeMs: 22, errorCode: 0 });
      const seen = await toKafkajs(EndTxnApi, "endTxn", v, value);
      assertFields(seen, { ...throttle(22, 1, v), errorCode: 0 });
    });
  }
});

describe("golden kafkajs responses: TxnOffsetCommit", () => {
  for (const v of versions(0, 1)) {
    it(`v${v}`, async () => {
      const value = createTxnOffsetCommitResponse({
        throttleTimeMs: 14,
        topics: [
          createTxnOffsetCommitResponseTopic({
            name: "orders",
            partitions: [
              createTxnOffsetCommitResponsePartition({ partitionIndex: 0 }),
              createTxnOffsetCommitResponsePartition({ partitionIndex: 3 }),
            ],
          }),
        ],
      });
      const seen = await toKafkajs(TxnOffsetCommitApi, "txnOffsetCommit", v, value);
      assertFields(seen, {
        ...throttle(14, 1, v),
        topics: [
          {
            topic: "orders",
            partitions: [
              { partition: 0, errorCode: 0 },
              { partition: 3, errorCode: 0 },
            ],
          },
        ],
      });
    });
  }
});

describe("golden kafkajs responses: SaslHandshake", () => {
  for (const v of versions(0, 1)) {
    it(`v${v}`, async () => {
      const mechanisms = ["PLAIN", "SCRAM-SHA-256", "SCRAM-SHA-512"];
      const seen = await toKafkajs(
        SaslHandshakeApi,
        "saslHandshake",
        v,
        createSaslHandshakeResponse({ errorCode: 0, mechanisms }),
      );
      assertFields(seen, { errorCode: 0, enabledMechanisms: mechanisms });
    });
  }
});

describe("golden kafkajs responses: SaslAuthenticate", () => {
  for (const v of versions(0, 1)) {
    it(`v${v}`, async () => {
      const token = Buffer.from("v=rmF9pqV8S7suAoZWja4dJRkFsKQ=", "utf8");
      const value = createSaslAuthenticateResponse({
        errorCode: 0,
        errorMessage: null,
        authBytes: token,
        sessionLifetimeMs: 3_600_000n,
      });
      const seen = await toKafkajs(SaslAuthenticateApi, "saslAuthenticate", v, value);
      // kafkajs re-wraps the token with its INT32 length before handing it to the mechanism.
      const wrapped = Buffer.concat([Buffer.from([0, 0, 0, token.length]), token]);
      assertFields(seen, {
        errorCode: 0,
        errorMessage: null,
        authBytes: wrapped,
        ...(v >= 1 ? { sessionLifetimeMs: "3600000" } : {}),
      });
    });
  }
});

describe("golden kafkajs responses: ApiVersions", () => {
  // What a broker would advertise: every API this codec knows, with its version range.
  const advertised = apiCodecs.map((c) => ({
    apiKey: c.apiKey,
    minVersion: c.minVersion,
    maxVersion: c.maxVersion,
  }));
  for (const v of versions(0, 2)) {
    it(`v${v}`, async () => {
      const value = createApiVersionsResponse({
        errorCode: 0,
        throttleTimeMs: 2,
        apiKeys: advertised.map((a) => createApiVersionsResponseApiVersion(a)),
      });
      const seen = await toKafkajs(ApiVersionsApi, "apiVersions", v, value);
      assertFields(seen, {
        ...(v >= 1 ? throttle(2, 2, v) : {}),
        errorCode: 0,
        apiVersions: advertised,
      });
    });
  }
});
