/**
 * The Java client's Admin (kafka-clients 4.x, or the version LOGBOOK_JAVA_CLIENT names;
 * the legacy alterConfigs with 3.9, which still has it) against Logbook and against the
 * reference Kafka, same assertions for both: topics and partitions, configs (describe,
 * incremental SET/APPEND/SUBTRACT/DELETE, legacy replace), consumer groups and their
 * offsets, the cluster, DeleteRecords, DescribeProducers, ListTransactions and
 * DescribeTransactions, topics by id, ListOffsets specs, DescribeLogDirs, config synonyms,
 * group configs (ConfigResource.Type.GROUP), with their error paths.
 * The checks run in integration-tests/java/AdminChecks.java.
 */
import assert from "node:assert/strict";
import { logbookAndKafka } from "./java/both-brokers.js";
import { JAVA_CHECKS_CLIENT, KAFKA_CLIENTS, runJava } from "./java/java-driver.js";

const { check } = logbookAndKafka();
/** kafka-clients 4 uses DescribeGroups v6 and transactions v2 where the broker has them. */
const CLIENT_4 = !JAVA_CHECKS_CLIENT.startsWith("3.");
const admin = (what: string, bootstrap: string, version: string = JAVA_CHECKS_CLIENT) =>
  runJava(version, "AdminChecks", [what, bootstrap, what.slice(0, 5)]);

check("topics: create, list, describe, create partitions, delete, and their errors", async (t) => {
  assert.deepEqual(await admin("topics", t.bootstrap), {
    listed: true,
    internal: false,
    topicIdSet: true,
    // [partition, led by the one node, replicas, in-sync replicas]
    partitions: [
      [0, true, 1, 1],
      [1, true, 1, 1],
    ],
    createAgain: "TopicExistsException",
    createBadName: "InvalidTopicException",
    createBadConfig: "InvalidConfigurationException",
    createUnknownConfig: "InvalidConfigurationException",
    createZeroPartitions: "InvalidPartitionsException",
    afterCreatePartitions: 4,
    shrinkPartitions: "InvalidPartitionsException",
    samePartitions: "InvalidPartitionsException",
    partitionsOfUnknown: "UnknownTopicOrPartitionException",
    listedAfterDelete: false,
    describeUnknown: "UnknownTopicOrPartitionException",
    deleteUnknown: "UnknownTopicOrPartitionException",
  });
});

const DEFAULTS = {
  "cleanup.policy": ["delete", "DEFAULT_CONFIG"],
  "retention.ms": ["604800000", "DEFAULT_CONFIG"],
  "segment.ms": ["604800000", "DEFAULT_CONFIG"],
};

check("configs: describe and incremental SET, APPEND, SUBTRACT, DELETE, errors", async (t) => {
  const retention = ["1000000", "DYNAMIC_TOPIC_CONFIG"];
  const compact = { "cleanup.policy": ["compact", "DYNAMIC_TOPIC_CONFIG"] };
  assert.deepEqual(await admin("configs", t.bootstrap), {
    created: DEFAULTS,
    set: { ...DEFAULTS, "retention.ms": retention },
    append: {
      ...DEFAULTS,
      "cleanup.policy": ["delete,compact", "DYNAMIC_TOPIC_CONFIG"],
      "retention.ms": retention,
    },
    subtract: { ...DEFAULTS, ...compact, "retention.ms": retention },
    delete: { ...DEFAULTS, ...compact },
    setInvalidValue: "InvalidConfigurationException",
    setUnknownName: "InvalidConfigurationException",
    appendToNonList: "InvalidConfigurationException",
    unknownTopic: "UnknownTopicOrPartitionException",
    afterErrors: { ...DEFAULTS, ...compact },
  });
});

check("configs: the legacy alterConfigs (kafka-clients 3.9) replaces the whole set", async (t) => {
  assert.deepEqual(await admin("legacy-alter-configs", t.bootstrap, KAFKA_CLIENTS.previous), {
    created: {
      ...DEFAULTS,
      "cleanup.policy": ["compact", "DYNAMIC_TOPIC_CONFIG"],
      "retention.ms": ["1000000", "DYNAMIC_TOPIC_CONFIG"],
    },
    replaced: { ...DEFAULTS, "segment.ms": ["100000", "DYNAMIC_TOPIC_CONFIG"] },
  });
});

check("consumer groups: list, describe, list/alter/delete offsets, delete, errors", async (t) => {
  const r = (await admin("groups", t.bootstrap)) as Record<string, unknown>;
  // Kafka 4 answers DescribeGroups v6 with GROUP_ID_NOT_FOUND for an unknown group;
  // Logbook serves DescribeGroups up to v5, where Kafka too answers state "Dead" (with
  // kafka-clients 3.9, which stops at v5, both brokers give "Dead").
  assert.equal(
    r.describeUnknown,
    t.name === "kafka" && CLIENT_4 ? "GroupIdNotFoundException" : "Dead",
  );
  delete r.describeUnknown;
  assert.deepEqual(r, {
    listedWhileActive: "Stable",
    describedWhileActive: {
      state: "Stable",
      simple: false,
      assignor: "range",
      coordinatorIsTheNode: true,
      members: [["group-g-0", "group-g-1"]],
    },
    deleteWhileActive: "GroupNotEmptyException",
    deleteOffsetsWhileSubscribed: "GroupSubscribedToTopicException",
    listedAfterClose: "Empty",
    describedAfterClose: {
      state: "Empty",
      simple: false,
      assignor: "",
      coordinatorIsTheNode: true,
      members: [],
    },
    committed: { "group-g-0": 5, "group-g-1": 3 },
    afterAlter: { "group-g-0": 2, "group-g-1": 3 },
    afterDeleteOffsets: { "group-g-0": 2 },
    listedAfterDelete: "not listed",
    offsetsAfterDelete: {},
    deleteUnknown: "GroupIdNotFoundException",
  });
});

check("describeCluster: one node, which is the controller", async (t) => {
  assert.deepEqual(await admin("cluster", t.bootstrap), {
    nodes: 1,
    host: "127.0.0.1",
    controllerIsTheNode: true,
    clusterIdSet: true,
  });
});

check(
  "deleteRecords: moves the log start, never back, not beyond the high watermark",
  async (t) => {
    assert.deepEqual(await admin("delete-records", t.bootstrap), {
      lowWatermark: 4,
      beginningAfter: 4,
      readAfter: ["d-4", "d-5", "d-6", "d-7", "d-8", "d-9"],
      belowLowWatermark: 4,
      beyondHighWatermark: "OffsetOutOfRangeException",
      toHighWatermark: 10,
    });
  },
);

check(
  "describeProducers, listTransactions, describeTransactions through a transaction",
  async (t) => {
    const idempotent = { epoch: 0, lastSequence: 9, txnStartOffset: null };
    const txn = (state: string, partitions: string[]) => ({
      state,
      timeoutMs: 30000,
      partitions,
      epoch: 0,
    });
    assert.deepEqual(await admin("producers-transactions", t.bootstrap), {
      idempotent: [idempotent],
      listedAfterInit: "Empty",
      describedAfterInit: txn("Empty", []),
      listedOngoing: "Ongoing",
      describedOngoing: txn("Ongoing", ["produ-p-0"]),
      // The open transaction's first offset is 10, after the idempotent producer's 0-9.
      producersOngoing: [idempotent, { epoch: 0, lastSequence: 1, txnStartOffset: 10 }],
      listedCommitted: "CompleteCommit",
      describedCommitted: { state: "CompleteCommit", timeoutMs: 30000, partitions: [] },
      // Both finalize transaction.version 2, so kafka-clients 4 runs transactions v2
      // (KIP-890): the commit marker carries a bumped epoch and no sequence. With
      // kafka-clients 3.9 (transactions v1) the marker keeps the epoch and the last
      // sequence stays the last record's, on both brokers.
      producersCommitted: [
        idempotent,
        CLIENT_4
          ? { epoch: 1, lastSequence: -1, txnStartOffset: null }
          : { epoch: 0, lastSequence: 1, txnStartOffset: null },
      ],
      describeUnknown: "TransactionalIdNotFoundException",
    });
  },
);

check("topics by id: describe and delete by topic id, unknown ids", async (t) => {
  assert.deepEqual(await admin("topic-ids", t.bootstrap), {
    nameById: true,
    partitionsById: [
      [0, true, 1, 1],
      [1, true, 1, 1],
      [2, true, 1, 1],
    ],
    describeUnknownId: "UnknownTopicIdException",
    listedAfterDeleteById: false,
    deleteUnknownId: "UnknownTopicIdException",
  });
});

check("listOffsets: earliest, latest, max timestamp, by timestamp", async (t) => {
  // [offset, record timestamp - t0, or -1 when the answer carries none]; the records
  // are stamped t0, +1 s, +5 s, +2 s, +3 s (out of order).
  assert.deepEqual(await admin("list-offsets", t.bootstrap), {
    earliest: [0, -1],
    latest: [5, -1],
    maxTimestamp: [2, 5000],
    "forTimestamp+1500": [2, 5000],
    "forTimestamp+9000": [-1, -1],
  });
});

check("describeLogDirs: one directory with the topic's partitions, sizes and space", async (t) => {
  assert.deepEqual(await admin("log-dirs", t.bootstrap), {
    dirs: 1,
    error: "none",
    // [size > the 1000-byte record, offset lag, is future]
    partitions: { "log-d-ld-0": [true, 0, false], "log-d-ld-1": [false, 0, false] },
    spaceKnown: true,
  });
});

check("describeConfigs with synonyms and documentation", async (t) => {
  const entry = (
    type: string,
    value: string,
    source: string,
    synonyms: string[],
  ): Record<string, unknown> => ({
    value,
    source,
    type,
    readOnly: false,
    sensitive: false,
    documented: true,
    synonyms,
  });
  assert.deepEqual(await admin("config-synonyms", t.bootstrap), {
    "cleanup.policy": entry("LIST", "delete", "DEFAULT_CONFIG", [
      "log.cleanup.policy=delete@DEFAULT_CONFIG",
    ]),
    "max.message.bytes": entry("INT", "2000000", "DYNAMIC_TOPIC_CONFIG", [
      "max.message.bytes=2000000@DYNAMIC_TOPIC_CONFIG",
      "message.max.bytes=1048588@DEFAULT_CONFIG",
    ]),
    "compression.type": entry("STRING", "producer", "DEFAULT_CONFIG", [
      "compression.type=producer@DEFAULT_CONFIG",
    ]),
  });
});

check(
  "features: describeFeatures reads ApiVersions; updateFeatures validates and changes",
  async (t) => {
    const r = (await admin("features", t.bootstrap)) as Record<string, unknown>;
    assert.deepEqual(r, {
      // [min, max] supported and the finalized level, for what both implement alike.
      transactionVersion: { supported: [0, 2], finalized: 2 },
      metadataVersion: { supported: [7, 33], finalized: 33 },
      epochKnown: true,
      validateDowngrade: "none",
      upgradeBeyond: "InvalidUpdateVersionException",
      downgradeAsUpgrade: "InvalidUpdateVersionException",
      afterDowngrade: 1,
      afterUpgrade: 2,
    });
  },
);
check("group configs: describe, incremental SET and DELETE on Type.GROUP, errors", async (t) => {
  const session = [
    "45000",
    "DEFAULT_CONFIG",
    ["group.consumer.session.timeout.ms=45000@DEFAULT_CONFIG"],
  ];
  const limit = ["5", "DEFAULT_CONFIG", ["group.share.delivery.count.limit=5@DEFAULT_CONFIG"]];
  const earliest = [
    "earliest",
    "DYNAMIC_GROUP_CONFIG",
    [
      "share.auto.offset.reset=earliest@DYNAMIC_GROUP_CONFIG",
      "share.auto.offset.reset=latest@DEFAULT_CONFIG",
    ],
  ];
  // Kafka 4.4 has 21 group configs.
  const after = {
    count: 21,
    "consumer.session.timeout.ms": session,
    "share.auto.offset.reset": earliest,
    "share.delivery.count.limit": limit,
  };
  assert.deepEqual(await admin("group-configs", t.bootstrap), {
    fresh: {
      ...after,
      "share.auto.offset.reset": [
        "latest",
        "DEFAULT_CONFIG",
        ["share.auto.offset.reset=latest@DEFAULT_CONFIG"],
      ],
    },
    set: {
      ...after,
      "consumer.session.timeout.ms": [
        "50000",
        "DYNAMIC_GROUP_CONFIG",
        [
          "consumer.session.timeout.ms=50000@DYNAMIC_GROUP_CONFIG",
          "group.consumer.session.timeout.ms=45000@DEFAULT_CONFIG",
        ],
      ],
    },
    deleted: after,
    outOfRange: "InvalidConfigurationException",
    unknownName: "InvalidConfigurationException",
    append: "InvalidConfigurationException",
    describeEmptyName: "InvalidRequestException",
    setEmptyName: "InvalidRequestException",
    afterErrors: after,
  });
});
