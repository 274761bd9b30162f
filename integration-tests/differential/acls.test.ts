/**
 * ACLs against Kafka 4.4.0, both brokers with the StandardAuthorizer and
 * allow.everyone.if.no.acl.found=true (Kafka's own controller traffic needs no ACL
 * then; no ACL here names the cluster), the client being User:ANONYMOUS: the same
 * CreateAcls (valid and refused bindings), DescribeAcls (ANY, MATCH, LITERAL, PREFIXED
 * filters) and DeleteAcls, and the same denials of Produce, Fetch, ListOffsets,
 * Metadata, OffsetCommit, OffsetFetch, JoinGroup, ConsumerGroupHeartbeat, FindCoordinator
 * and InitProducerId, with the same error messages; DescribeGroups' authorized
 * operations, transactional batches without (or with a denied) transactional id, and the
 * topic checks of the share-group offset APIs.
 */
import assert from "node:assert/strict";
import { after, before, beforeEach, test } from "node:test";
import {
  AlterShareGroupOffsetsApi,
  ConsumerGroupHeartbeatApi,
  CreateAclsApi,
  createAlterShareGroupOffsetsRequest,
  createConsumerGroupHeartbeatRequest,
  createCreateAclsRequest,
  createCreateAclsRequestAclCreation,
  createDeleteAclsRequest,
  createDeleteAclsRequestFilter,
  createDeleteShareGroupOffsetsRequest,
  createDescribeAclsRequest,
  createDescribeGroupsRequest,
  createDescribeShareGroupOffsetsRequest,
  createFindCoordinatorRequest,
  createInitProducerIdRequest,
  createJoinGroupRequest,
  createJoinGroupRequestProtocol,
  createMetadataRequest,
  createMetadataRequestTopic,
  createOffsetCommitRequest,
  createOffsetCommitRequestPartition,
  createOffsetCommitRequestTopic,
  createOffsetFetchRequest,
  createOffsetFetchRequestTopic,
  createShareGroupDescribeRequest,
  DeleteAclsApi,
  DeleteShareGroupOffsetsApi,
  DescribeAclsApi,
  type DescribeAclsResponse,
  DescribeGroupsApi,
  DescribeShareGroupOffsetsApi,
  ErrorCode,
  FetchApi,
  FindCoordinatorApi,
  InitProducerIdApi,
  JoinGroupApi,
  ListOffsetsApi,
  MetadataApi,
  OffsetCommitApi,
  OffsetFetchApi,
  ProduceApi,
  ShareGroupDescribeApi,
} from "@logbook/protocol";
import { fetch, listOffsets, produce } from "./data-requests.js";
import { type Conversation, DiffPair } from "./pair.js";
import { batch, settleCoordinator } from "./setup.js";

const AUTHORIZER = "org.apache.kafka.metadata.authorizer.StandardAuthorizer";
const TOPIC = 2;
const GROUP = 3;
const CLUSTER = 4;
const TRANSACTIONAL_ID = 5;
const ANY = 1;
const MATCH = 2;
const LITERAL = 3;
const PREFIXED = 4;
const ALL = 2;
const READ = 3;
const WRITE = 4;
const DESCRIBE = 8;
const DENY = 2;
const ALLOW = 3;

let pair: DiffPair;
let conv: Conversation;

/**
 * Every error message of an answer by its path: the diff leaves messages out, but a
 * denial's wording is compared here.
 */
function errorMessages(x: unknown, path = "", out: Record<string, unknown> = {}) {
  if (Array.isArray(x)) {
    x.forEach((v, i) => {
      errorMessages(v, `${path}[${i}]`, out);
    });
  } else if (x !== null && typeof x === "object" && !Buffer.isBuffer(x)) {
    for (const [k, v] of Object.entries(x)) {
      if (/errorMessage$/i.test(k)) out[`${path}.${k}`] = v;
      else errorMessages(v, `${path}.${k}`, out);
    }
  }
  return out;
}

/** conv.same, the error messages compared too. */
const sameWorded: Conversation["same"] = async (api, version, body, opts) => {
  const r = await conv.same(api, version, body, opts);
  assert.deepEqual(
    errorMessages(r.logbook),
    errorMessages(r.kafka),
    `${api.name} v${version}: Logbook's error messages = Kafka's`,
  );
  return r;
};

before(async () => {
  pair = await DiffPair.start({
    kafkaConfig: { "authorizer.class.name": AUTHORIZER, "allow.everyone.if.no.acl.found": "true" },
    logbookArgs: [
      "-o",
      `authorizer.class.name=${AUTHORIZER}`,
      "-o",
      "allow.everyone.if.no.acl.found=true",
    ],
  });
  conv = await pair.conversation();
});
beforeEach(() => conv.reopenClosed());
after(async () => {
  conv?.close();
  await pair?.stop();
});

function creation(
  resourceType: number,
  resourceName: string,
  operation: number,
  permissionType: number,
  over: Partial<Parameters<typeof createCreateAclsRequestAclCreation>[0]> = {},
) {
  return createCreateAclsRequestAclCreation({
    resourceType,
    resourceName,
    resourcePatternType: LITERAL,
    principal: "User:ANONYMOUS",
    host: "*",
    operation,
    permissionType,
    ...over,
  });
}

interface Filter {
  resourceTypeFilter: number;
  resourceNameFilter: string | null;
  patternTypeFilter: number;
  principalFilter: string | null;
  hostFilter: string | null;
  operation: number;
  permissionType: number;
}
const EVERY: Filter = {
  resourceTypeFilter: ANY,
  resourceNameFilter: null,
  patternTypeFilter: ANY,
  principalFilter: null,
  hostFilter: null,
  operation: ANY,
  permissionType: ANY,
};

/** DescribeAcls's resources and their ACLs in one order (Kafka's follows its hash set). */
function sorted(r: DescribeAclsResponse): DescribeAclsResponse {
  const key = (x: unknown) => JSON.stringify(x);
  return {
    ...r,
    resources: r.resources
      .map((res) => ({ ...res, acls: [...res.acls].sort((a, b) => key(a).localeCompare(key(b))) }))
      .sort((a, b) =>
        key([a.resourceType, a.resourceName, a.patternType]).localeCompare(
          key([b.resourceType, b.resourceName, b.patternType]),
        ),
      ),
  };
}

async function describeSettled(
  filter: Partial<Filter>,
  count: number,
): Promise<DescribeAclsResponse> {
  const body = createDescribeAclsRequest({ ...EVERY, ...filter });
  // Kafka applies a new ACL through its metadata log: wait until both show `count`.
  const both = await Promise.all(
    (["kafka", "logbook"] as const).map(async (side) => {
      const deadline = Date.now() + 30_000;
      for (;;) {
        const r = await conv.clients[side].request(DescribeAclsApi, 3, body);
        const n = r.body.resources.reduce((s, x) => s + x.acls.length, 0);
        if (n === count || Date.now() > deadline) return sorted(r.body);
        await new Promise((res) => setTimeout(res, 100));
      }
    }),
  );
  const [kafka, logbook] = both as [DescribeAclsResponse, DescribeAclsResponse];
  assert.deepEqual(logbook, kafka, `DescribeAcls ${JSON.stringify(filter)}: Logbook = Kafka`);
  return kafka;
}

test("CreateAcls, DescribeAcls and DeleteAcls answer as Kafka's", async () => {
  const created = await sameWorded(
    CreateAclsApi,
    3,
    createCreateAclsRequest({
      creations: [
        creation(TOPIC, "dacl-a", READ, ALLOW, { principal: "User:alice" }),
        creation(TOPIC, "dacl-", WRITE, DENY, { resourcePatternType: PREFIXED, host: "10.0.0.9" }),
        creation(GROUP, "*", ALL, ALLOW, { principal: "User:*" }),
        creation(CLUSTER, "not-kafka-cluster", READ, ALLOW),
        creation(TOPIC, "", READ, ALLOW),
        creation(TOPIC, "x", READ, ALLOW, { principal: "alice" }),
      ],
    }),
  );
  assert.deepEqual(
    created.kafka.results.map((r) => r.errorCode),
    [0, 0, 0, ...Array(3).fill(ErrorCode.INVALID_REQUEST)],
  );
  // Filter-only codes (ANY, MATCH) in a binding to create.
  for (const bad of [
    creation(TOPIC, "x", ANY, ALLOW),
    creation(TOPIC, "x", READ, ANY),
    creation(TOPIC, "x", READ, ALLOW, { resourcePatternType: MATCH }),
    creation(ANY, "x", READ, ALLOW),
  ]) {
    await sameWorded(CreateAclsApi, 3, createCreateAclsRequest({ creations: [bad] }));
  }
  assert.equal((await describeSettled({}, 3)).resources.length, 3);
  await describeSettled(
    { resourceTypeFilter: TOPIC, resourceNameFilter: "dacl-a", patternTypeFilter: MATCH },
    2,
  );
  await describeSettled(
    { resourceTypeFilter: TOPIC, resourceNameFilter: "dacl-", patternTypeFilter: ANY },
    1,
  );
  await describeSettled({ patternTypeFilter: LITERAL }, 2);
  await describeSettled({ patternTypeFilter: PREFIXED, hostFilter: "10.0.0.9" }, 1);
  await describeSettled({ principalFilter: "User:*" }, 1);

  const deleted = await sameWorded(
    DeleteAclsApi,
    3,
    createDeleteAclsRequest({
      filters: [
        createDeleteAclsRequestFilter({ ...EVERY, resourceTypeFilter: GROUP }),
        createDeleteAclsRequestFilter({ ...EVERY, resourceTypeFilter: GROUP }),
        createDeleteAclsRequestFilter({ ...EVERY, principalFilter: "User:nobody" }),
      ],
    }),
  );
  assert.deepEqual(
    deleted.kafka.filterResults.map((f) => f.matchingAcls.length),
    [1, 1, 0],
  );
  await sameWorded(
    DeleteAclsApi,
    3,
    createDeleteAclsRequest({ filters: [createDeleteAclsRequestFilter(EVERY)] }),
  );
  await describeSettled({}, 0);
});

test("denied Produce, Fetch, ListOffsets, Metadata, group APIs and InitProducerId answer as Kafka's", async () => {
  await conv.createTopic("deny-t");
  await settleCoordinator(conv, "deny-g", 0);
  const made = await sameWorded(
    CreateAclsApi,
    3,
    createCreateAclsRequest({
      creations: [
        creation(TOPIC, "deny-", ALL, DENY, { resourcePatternType: PREFIXED }),
        creation(GROUP, "deny-g", READ, DENY),
        creation(TRANSACTIONAL_ID, "deny-txn", WRITE, DENY),
      ],
    }),
  );
  assert.deepEqual(
    made.kafka.results.map((r) => r.errorCode),
    [0, 0, 0],
  );
  await describeSettled({}, 3);

  const records = await batch(1);
  const p = await conv.settle(
    ProduceApi,
    9,
    produce("deny-t", 0, records),
    (r) => r.responses[0]?.partitionResponses[0]?.errorCode === ErrorCode.NONE,
  );
  assert.equal(
    p.kafka.responses[0]?.partitionResponses[0]?.errorCode,
    ErrorCode.TOPIC_AUTHORIZATION_FAILED,
  );

  const f = await sameWorded(FetchApi, 12, fetch("deny-t", 0, 0n));
  assert.equal(
    f.kafka.responses[0]?.partitions[0]?.errorCode,
    ErrorCode.TOPIC_AUTHORIZATION_FAILED,
  );

  await sameWorded(ListOffsetsApi, 7, listOffsets("deny-t", 0, -1n));

  const md = await sameWorded(
    MetadataApi,
    12,
    createMetadataRequest({
      topics: [
        createMetadataRequestTopic({ name: "deny-t" }),
        createMetadataRequestTopic({ name: "deny-unknown" }),
      ],
      allowAutoTopicCreation: true,
      includeTopicAuthorizedOperations: true,
    }),
  );
  assert.equal(md.kafka.topics[0]?.errorCode, ErrorCode.TOPIC_AUTHORIZATION_FAILED);

  const commit = await sameWorded(
    OffsetCommitApi,
    8,
    createOffsetCommitRequest({
      groupId: "deny-g",
      generationIdOrMemberEpoch: -1,
      topics: [
        createOffsetCommitRequestTopic({
          name: "deny-t",
          partitions: [createOffsetCommitRequestPartition({ partitionIndex: 0 })],
        }),
      ],
    }),
  );
  assert.equal(
    commit.kafka.topics[0]?.partitions[0]?.errorCode,
    ErrorCode.GROUP_AUTHORIZATION_FAILED,
  );
  // A group nobody denied, a topic that is: the partition's own error.
  await sameWorded(
    OffsetCommitApi,
    8,
    createOffsetCommitRequest({
      groupId: "open-g",
      generationIdOrMemberEpoch: -1,
      topics: [
        createOffsetCommitRequestTopic({
          name: "deny-t",
          partitions: [createOffsetCommitRequestPartition({ partitionIndex: 0 })],
        }),
      ],
    }),
  );
  await sameWorded(
    OffsetFetchApi,
    7,
    createOffsetFetchRequest({
      groupId: "open-g",
      topics: [createOffsetFetchRequestTopic({ name: "deny-t", partitionIndexes: [0] })],
    }),
  );
  const join = await sameWorded(
    JoinGroupApi,
    9,
    createJoinGroupRequest({
      groupId: "deny-g",
      memberId: "",
      sessionTimeoutMs: 30_000,
      rebalanceTimeoutMs: 30_000,
      protocolType: "consumer",
      protocols: [createJoinGroupRequestProtocol({ name: "range", metadata: Buffer.alloc(0) })],
    }),
  );
  assert.equal(join.kafka.errorCode, ErrorCode.GROUP_AUTHORIZATION_FAILED);
  // KIP-848: a subscription naming a topic the member may not DESCRIBE.
  const hb = await sameWorded(
    ConsumerGroupHeartbeatApi,
    1,
    createConsumerGroupHeartbeatRequest({
      groupId: "open-cg",
      memberId: "AAAAAAAAAAAAAAAAAAAAAQ",
      memberEpoch: 0,
      rebalanceTimeoutMs: 30_000,
      subscribedTopicNames: ["deny-t"],
      topicPartitions: [],
    }),
  );
  assert.equal(hb.kafka.errorCode, ErrorCode.TOPIC_AUTHORIZATION_FAILED);
  await sameWorded(
    FindCoordinatorApi,
    6,
    createFindCoordinatorRequest({ keyType: 1, coordinatorKeys: ["deny-txn"] }),
  );
  const pid = await sameWorded(
    InitProducerIdApi,
    5,
    createInitProducerIdRequest({ transactionalId: "deny-txn", transactionTimeoutMs: 10_000 }),
  );
  assert.equal(pid.kafka.errorCode, ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED);
  await sameWorded(
    DeleteAclsApi,
    3,
    createDeleteAclsRequest({ filters: [createDeleteAclsRequestFilter(EVERY)] }),
  );
});

test("authorized operations of groups, transactional batches and the share-group offset APIs' topic checks answer as Kafka's", async () => {
  await conv.createTopic("gap-open");
  await conv.createTopic("gap-closed");
  await settleCoordinator(conv, "gap-g", 0);
  const made = await sameWorded(
    CreateAclsApi,
    3,
    createCreateAclsRequest({
      creations: [
        creation(GROUP, "gap-ops-g", DESCRIBE, ALLOW),
        creation(TOPIC, "gap-closed", ALL, DENY),
        creation(TRANSACTIONAL_ID, "gap-txn", WRITE, DENY),
      ],
    }),
  );
  assert.deepEqual(
    made.kafka.results.map((r) => r.errorCode),
    [0, 0, 0],
  );
  await describeSettled({}, 3);

  // Only DESCRIBE on gap-ops-g; every group operation on a group no ACL names.
  for (const includeAuthorizedOperations of [true, false]) {
    await sameWorded(
      DescribeGroupsApi,
      5,
      createDescribeGroupsRequest({
        groups: ["gap-ops-g", "gap-g"],
        includeAuthorizedOperations,
      }),
    );
  }
  await sameWorded(
    ShareGroupDescribeApi,
    1,
    createShareGroupDescribeRequest({
      groupIds: ["gap-ops-g"],
      includeAuthorizedOperations: true,
    }),
  );

  // Transactional batches need a transactional id the caller may WRITE; the id of
  // batches that are not transactional is not checked.
  const txnBatch = await batch(1, { transactional: true, producerId: 4242n, producerEpoch: 0 });
  for (const transactionalId of [null, "gap-txn"]) {
    const r = await sameWorded(
      ProduceApi,
      9,
      produce("gap-open", 0, txnBatch, { transactionalId }),
    );
    assert.equal(
      r.kafka.responses[0]?.partitionResponses[0]?.errorCode,
      ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED,
    );
  }
  await sameWorded(
    ProduceApi,
    9,
    produce("gap-open", 0, await batch(1), { transactionalId: "gap-txn", acks: 5 }),
  );

  // READ (Alter, Delete) and DESCRIBE (Describe) on each topic.
  await sameWorded(
    AlterShareGroupOffsetsApi,
    0,
    createAlterShareGroupOffsetsRequest({
      groupId: "gap-sg",
      topics: [
        { topicName: "gap-closed", partitions: [{ partitionIndex: 0, startOffset: 0n }] },
        { topicName: "gap-open", partitions: [{ partitionIndex: 0, startOffset: 0n }] },
      ],
    }),
  );
  for (const v of [0, 1]) {
    await sameWorded(
      DescribeShareGroupOffsetsApi,
      v,
      createDescribeShareGroupOffsetsRequest({
        groups: [
          {
            groupId: "gap-sg",
            topics: [
              { topicName: "gap-closed", partitions: [0] },
              { topicName: "gap-open", partitions: [0] },
            ],
          },
          { groupId: "gap-sg", topics: null },
        ],
      }),
    );
  }
  await sameWorded(
    DeleteShareGroupOffsetsApi,
    0,
    createDeleteShareGroupOffsetsRequest({
      groupId: "gap-sg",
      topics: [{ topicName: "gap-closed" }, { topicName: "gap-open" }],
    }),
  );
  await sameWorded(
    DeleteAclsApi,
    3,
    createDeleteAclsRequest({ filters: [createDeleteAclsRequestFilter(EVERY)] }),
  );
});
