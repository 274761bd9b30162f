/**
 * Golden tests against kafkajs 2.2.4's request encoders: transactions, SASL and
 * ApiVersions.
 * Each request is built by kafkajs and framed by kafkajs (size + header v1 + body), then
 * decoded with our header and request codecs: the fields must equal what kafkajs was given,
 * every byte must be consumed, and re-encoding must reproduce the frame byte for byte.
 */
import { describe, it } from "node:test";
import {
  AddOffsetsToTxnApi,
  AddPartitionsToTxnApi,
  ApiVersionsApi,
  EndTxnApi,
  InitProducerIdApi,
  SaslAuthenticateApi,
  SaslHandshakeApi,
  TxnOffsetCommitApi,
} from "../src/index.js";
import { assertFields, kjsModule, versions, viaKafkajs } from "./helpers/kafkajs.js";

const txn = { transactionalId: "txn-golden", producerId: "4242", producerEpoch: 7 };

describe("golden kafkajs requests: InitProducerId", () => {
  for (const v of versions(0, 1)) {
    it(`v${v} transactional`, async () => {
      const body = await viaKafkajs(InitProducerIdApi, "initProducerId", v, {
        transactionalId: "txn-golden",
        transactionTimeout: 60_000,
      });
      assertFields(body, { transactionalId: "txn-golden", transactionTimeoutMs: 60_000 });
    });
    it(`v${v} idempotent (null transactional id)`, async () => {
      const body = await viaKafkajs(InitProducerIdApi, "initProducerId", v, {
        transactionalId: null,
        transactionTimeout: 30_000,
      });
      assertFields(body, { transactionalId: null, transactionTimeoutMs: 30_000 });
    });
  }
});

describe("golden kafkajs requests: AddPartitionsToTxn", () => {
  for (const v of versions(0, 1)) {
    it(`v${v}`, async () => {
      const body = await viaKafkajs(AddPartitionsToTxnApi, "addPartitionsToTxn", v, {
        ...txn,
        topics: [
          { topic: "orders", partitions: [0, 3] },
          { topic: "audit-log", partitions: [1] },
        ],
      });
      assertFields(body, {
        v3AndBelowTransactionalId: "txn-golden",
        v3AndBelowProducerId: 4242n,
        v3AndBelowProducerEpoch: 7,
        v3AndBelowTopics: [
          { name: "orders", partitions: [0, 3] },
          { name: "audit-log", partitions: [1] },
        ],
      });
    });
  }
});

describe("golden kafkajs requests: AddOffsetsToTxn", () => {
  for (const v of versions(0, 1)) {
    it(`v${v}`, async () => {
      const body = await viaKafkajs(AddOffsetsToTxnApi, "addOffsetsToTxn", v, {
        ...txn,
        groupId: "billing",
      });
      assertFields(body, {
        transactionalId: "txn-golden",
        producerId: 4242n,
        producerEpoch: 7,
        groupId: "billing",
      });
    });
  }
});

describe("golden kafkajs requests: EndTxn", () => {
  for (const v of versions(0, 1)) {
    for (const committed of [true, false]) {
      it(`v${v} ${committed ? "commit" : "abort"}`, async () => {
        const body = await viaKafkajs(EndTxnApi, "endTxn", v, {
          ...txn,
          transactionResult: committed,
        });
        assertFields(body, {
          transactionalId: "txn-golden",
          producerId: 4242n,
          producerEpoch: 7,
          committed,
        });
      });
    }
  }
});

describe("golden kafkajs requests: TxnOffsetCommit", () => {
  for (const v of versions(0, 1)) {
    it(`v${v}`, async () => {
      const body = await viaKafkajs(TxnOffsetCommitApi, "txnOffsetCommit", v, {
        ...txn,
        groupId: "billing",
        topics: [
          {
            topic: "orders",
            partitions: [
              { partition: 0, offset: "1001", metadata: "m1" },
              { partition: 3, offset: "7", metadata: null },
            ],
          },
        ],
      });
      assertFields(body, {
        transactionalId: "txn-golden",
        groupId: "billing",
        producerId: 4242n,
        producerEpoch: 7,
        topics: [
          {
            name: "orders",
            partitions: [
              { partitionIndex: 0, committedOffset: 1001n, committedMetadata: "m1" },
              { partitionIndex: 3, committedOffset: 7n, committedMetadata: null },
            ],
          },
        ],
      });
    });
  }
});

describe("golden kafkajs requests: SaslHandshake", () => {
  for (const v of versions(0, 1)) {
    for (const mechanism of ["PLAIN", "SCRAM-SHA-512"]) {
      it(`v${v} ${mechanism}`, async () => {
        const body = await viaKafkajs(SaslHandshakeApi, "saslHandshake", v, { mechanism });
        assertFields(body, { mechanism });
      });
    }
  }
});

describe("golden kafkajs requests: SaslAuthenticate", () => {
  for (const v of versions(0, 1)) {
    it(`v${v} PLAIN token from kafkajs's SASL encoder`, async () => {
      const plain = kjsModule("sasl/plain/request.js");
      if (typeof plain !== "function") throw new TypeError("sasl/plain/request.js");
      const mechanism: unknown = plain({ username: "alice", password: "s3cret" });
      const encode = (mechanism as { encode: () => Promise<Buffer> }).encode;
      // kafkajs hands the already length-prefixed token to SaslAuthenticate unchanged.
      const authBytes = await encode();
      const body = await viaKafkajs(SaslAuthenticateApi, "saslAuthenticate", v, { authBytes });
      assertFields(body, { authBytes: Buffer.from("\0alice\0s3cret", "utf8") });
    });
  }
});

describe("golden kafkajs requests: ApiVersions", () => {
  for (const v of versions(0, 2)) {
    it(`v${v} (empty body)`, async () => {
      const body = await viaKafkajs(ApiVersionsApi, "apiVersions", v);
      // The client software fields only exist from v3.
      assertFields(body, { clientSoftwareName: "", clientSoftwareVersion: "" });
    });
  }
});
