/**
 * Golden tests against kafkajs 2.2.4's response decoders: topic admin (create/delete
 * topics, delete records, create partitions) and group deletion.
 * Each response is built with our `create`, framed and encoded with our encoders, read back
 * the way kafkajs's connection does and decoded by kafkajs (`decode`, then `parse`), which
 * must see the same values and read every byte of the body.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import {
  CreatePartitionsApi,
  CreateTopicsApi,
  createCreatePartitionsResponse,
  createCreatePartitionsResponseTopicResult,
  createCreateTopicsResponse,
  createCreateTopicsResponseCreatableTopicResult,
  createDeleteGroupsResponse,
  createDeleteGroupsResponseDeletableGroupResult,
  createDeleteRecordsResponse,
  createDeleteRecordsResponsePartitionResult,
  createDeleteRecordsResponseTopicResult,
  createDeleteTopicsResponse,
  createDeleteTopicsResponseDeletableTopicResult,
  DeleteGroupsApi,
  DeleteRecordsApi,
  DeleteTopicsApi,
} from "../src/index.js";
import { assertFields, BIG, field, throttle, toKafkajs, versions } from "./helpers/kafkajs.js";

describe("golden kafkajs responses: CreateTopics", () => {
  for (const v of versions(0, 3)) {
    it(`v${v}`, async () => {
      const value = createCreateTopicsResponse({
        throttleTimeMs: 11,
        topics: [
          createCreateTopicsResponseCreatableTopicResult({ name: "orders", errorMessage: null }),
          createCreateTopicsResponseCreatableTopicResult({ name: "audit-log", errorMessage: null }),
        ],
      });
      const seen = await toKafkajs(CreateTopicsApi, "createTopics", v, value);
      const topic = (name: string) => ({
        topic: name,
        errorCode: 0,
        ...(v >= 1 ? { errorMessage: null } : {}),
      });
      // kafkajs sorts the results by topic name.
      assertFields(seen, {
        ...(v >= 2 ? throttle(11, 3, v) : {}),
        topicErrors: [topic("audit-log"), topic("orders")],
      });
    });
  }
});

describe("golden kafkajs responses: DeleteTopics", () => {
  for (const v of versions(0, 1)) {
    it(`v${v}`, async () => {
      const value = createDeleteTopicsResponse({
        throttleTimeMs: 9,
        responses: [
          createDeleteTopicsResponseDeletableTopicResult({ name: "orders" }),
          createDeleteTopicsResponseDeletableTopicResult({ name: "audit-log" }),
        ],
      });
      const seen = await toKafkajs(DeleteTopicsApi, "deleteTopics", v, value);
      assertFields(seen, {
        ...(v >= 1 ? throttle(9, 1, v) : {}),
        topicErrors: [
          { topic: "audit-log", errorCode: 0 },
          { topic: "orders", errorCode: 0 },
        ],
      });
    });
  }
});

describe("golden kafkajs responses: DeleteRecords", () => {
  for (const v of versions(0, 1)) {
    it(`v${v}`, async () => {
      const value = createDeleteRecordsResponse({
        throttleTimeMs: 5,
        topics: [
          createDeleteRecordsResponseTopicResult({
            name: "orders",
            partitions: [
              createDeleteRecordsResponsePartitionResult({
                partitionIndex: 0,
                lowWatermark: 120n,
              }),
              createDeleteRecordsResponsePartitionResult({
                partitionIndex: 2,
                lowWatermark: BIG,
              }),
            ],
          }),
        ],
      });
      // kafkajs's DeleteRecords decoder is built from the request's topics.
      const requestTopics = [{ topic: "orders", partitions: [{ partition: 0, offset: "120" }] }];
      const seen = await toKafkajs(DeleteRecordsApi, "deleteRecords", v, value, {
        topics: requestTopics,
      });
      // kafkajs hands the low watermarks back as bigints (its readInt64 is BigInt-based).
      assertFields(seen, {
        ...throttle(5, 1, v),
        topics: [
          {
            topic: "orders",
            partitions: [
              { partition: 0, lowWatermark: 120n, errorCode: 0 },
              { partition: 2, lowWatermark: BIG, errorCode: 0 },
            ],
          },
        ],
      });
    });
  }
});

describe("golden kafkajs responses: CreatePartitions", () => {
  for (const v of versions(0, 1)) {
    it(`v${v}`, async () => {
      const value = createCreatePartitionsResponse({
        throttleTimeMs: 24,
        results: [
          createCreatePartitionsResponseTopicResult({
            name: "orders",
            errorMessage: null,
          }),
          createCreatePartitionsResponseTopicResult({
            name: "audit-log",
            errorMessage: null,
          }),
        ],
      });
      const seen = await toKafkajs(CreatePartitionsApi, "createPartitions", v, value);
      assertFields(seen, {
        ...throttle(24, 1, v),
        topicErrors: [
          { topic: "audit-log", errorCode: 0, errorMessage: null },
          { topic: "orders", errorCode: 0, errorMessage: null },
        ],
      });
    });
  }
});

describe("golden kafkajs responses: DeleteGroups", () => {
  for (const v of versions(0, 1)) {
    it(`v${v}`, async () => {
      const value = createDeleteGroupsResponse({
        throttleTimeMs: 25,
        results: [
          createDeleteGroupsResponseDeletableGroupResult({ groupId: "billing", errorCode: 0 }),
          // kafkajs's DeleteGroups parse does not throw; it attaches the error per group.
          createDeleteGroupsResponseDeletableGroupResult({ groupId: "shipping", errorCode: 69 }),
        ],
      });
      const seen = await toKafkajs(DeleteGroupsApi, "deleteGroups", v, value);
      // kafkajs names this field throttleTimeMs (and its v1 clientSideThrottleTime reads a
      // field that does not exist), so the raw value is what can be compared.
      assertFields(seen, {
        throttleTimeMs: 25,
        results: [
          { groupId: "billing", errorCode: 0 },
          { groupId: "shipping", errorCode: 69 },
        ],
      });
      const results = field(seen, "results");
      assert.ok(Array.isArray(results));
      assert.ok(field(results[1], "error") instanceof Error, "kafkajs maps code 69 to an error");
    });
  }
});
