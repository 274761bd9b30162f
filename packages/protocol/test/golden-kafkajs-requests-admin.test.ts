/**
 * Golden tests against kafkajs 2.2.4's request encoders: topic admin (create/delete
 * topics, delete records, create partitions) and group deletion.
 * Each request is built by kafkajs and framed by kafkajs (size + header v1 + body), then
 * decoded with our header and request codecs: the fields must equal what kafkajs was given,
 * every byte must be consumed, and re-encoding must reproduce the frame byte for byte.
 */
import { describe, it } from "node:test";
import {
  CreatePartitionsApi,
  CreateTopicsApi,
  DeleteGroupsApi,
  DeleteRecordsApi,
  DeleteTopicsApi,
} from "../src/index.js";
import { assertFields, versions, viaKafkajs } from "./helpers/kafkajs.js";

describe("golden kafkajs requests: CreateTopics", () => {
  for (const v of versions(0, 3)) {
    it(`v${v}`, async () => {
      const body = await viaKafkajs(CreateTopicsApi, "createTopics", v, {
        timeout: 10_000,
        validateOnly: true,
        topics: [
          {
            topic: "orders",
            numPartitions: 6,
            replicationFactor: 3,
            configEntries: [
              { name: "cleanup.policy", value: "compact" },
              { name: "retention.ms", value: "604800000" },
            ],
          },
          {
            topic: "manual",
            replicaAssignment: [
              { partition: 0, replicas: [1, 2] },
              { partition: 1, replicas: [2, 3] },
            ],
          },
        ],
      });
      assertFields(body, {
        timeoutMs: 10_000,
        ...(v >= 1 ? { validateOnly: true } : {}),
        topics: [
          {
            name: "orders",
            numPartitions: 6,
            replicationFactor: 3,
            assignments: [],
            configs: [
              { name: "cleanup.policy", value: "compact" },
              { name: "retention.ms", value: "604800000" },
            ],
          },
          {
            name: "manual",
            numPartitions: -1,
            replicationFactor: -1,
            assignments: [
              { partitionIndex: 0, brokerIds: [1, 2] },
              { partitionIndex: 1, brokerIds: [2, 3] },
            ],
            configs: [],
          },
        ],
      });
    });
  }
});

describe("golden kafkajs requests: DeleteTopics", () => {
  for (const v of versions(0, 1)) {
    it(`v${v}`, async () => {
      const body = await viaKafkajs(DeleteTopicsApi, "deleteTopics", v, {
        topics: ["orders", "audit-log"],
        timeout: 7000,
      });
      assertFields(body, { topicNames: ["orders", "audit-log"], timeoutMs: 7000 });
    });
  }
});

describe("golden kafkajs requests: DeleteRecords", () => {
  for (const v of versions(0, 1)) {
    it(`v${v}`, async () => {
      const body = await viaKafkajs(DeleteRecordsApi, "deleteRecords", v, {
        timeout: 4000,
        topics: [
          {
            topic: "orders",
            partitions: [
              { partition: 0, offset: "120" },
              { partition: 2, offset: "-1" },
            ],
          },
        ],
      });
      assertFields(body, {
        timeoutMs: 4000,
        topics: [
          {
            name: "orders",
            partitions: [
              { partitionIndex: 0, offset: 120n },
              { partitionIndex: 2, offset: -1n },
            ],
          },
        ],
      });
    });
  }
});

describe("golden kafkajs requests: CreatePartitions", () => {
  for (const v of versions(0, 1)) {
    it(`v${v}`, async () => {
      const body = await viaKafkajs(CreatePartitionsApi, "createPartitions", v, {
        timeout: 5000,
        validateOnly: false,
        topicPartitions: [
          // No assignments: kafkajs sends a null array (the broker picks replicas).
          { topic: "orders", count: 12 },
          {
            topic: "audit-log",
            count: 4,
            assignments: [
              [1, 2],
              [2, 3],
            ],
          },
        ],
      });
      assertFields(body, {
        timeoutMs: 5000,
        validateOnly: false,
        topics: [
          { name: "orders", count: 12, assignments: null },
          {
            name: "audit-log",
            count: 4,
            assignments: [{ brokerIds: [1, 2] }, { brokerIds: [2, 3] }],
          },
        ],
      });
    });
  }
});

describe("golden kafkajs requests: DeleteGroups", () => {
  for (const v of versions(0, 1)) {
    it(`v${v}`, async () => {
      const body = await viaKafkajs(DeleteGroupsApi, "deleteGroups", v, ["billing", "shipping"]);
      assertFields(body, { groupsNames: ["billing", "shipping"] });
    });
  }
});
