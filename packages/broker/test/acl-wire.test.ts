/**
 * ACLs over the wire on a real broker: CreateAcls/DescribeAcls/DeleteAcls (without an
 * authorizer SECURITY_DISABLED; validation; filters), the bindings surviving a restart,
 * and the checks of Produce, Fetch, ListOffsets, Metadata, the group APIs and
 * InitProducerId for a principal (User:ANONYMOUS on plaintext) that is not a super user;
 * kafkajs's admin and producer against it.
 */
import assert from "node:assert/strict";
import { after, test } from "node:test";
import {
  buildBatch,
  CreateAclsApi,
  createCreateAclsRequest,
  createCreateAclsRequestAclCreation,
  createDeleteAclsRequest,
  createDeleteAclsRequestFilter,
  createDescribeAclsRequest,
  createDescribeTopicPartitionsRequest,
  createInitProducerIdRequest,
  createListConfigResourcesRequest,
  createListOffsetsRequest,
  createListOffsetsRequestPartition,
  createListOffsetsRequestTopic,
  createMetadataRequest,
  createMetadataRequestTopic,
  createOffsetCommitRequest,
  createOffsetCommitRequestPartition,
  createOffsetCommitRequestTopic,
  DeleteAclsApi,
  DescribeAclsApi,
  DescribeTopicPartitionsApi,
  ErrorCode,
  FetchApi,
  InitProducerIdApi,
  JoinGroupApi,
  ListConfigResourcesApi,
  ListOffsetsApi,
  MetadataApi,
  OffsetCommitApi,
  ProduceApi,
} from "@logbook/protocol";
import kafkajs, { Kafka, logLevel } from "kafkajs";
import {
  AclPermission,
  AclOperation as Op,
  PatternType,
  AclResourceType as Type,
} from "../src/acl/acl-types.js";
import { STANDARD_AUTHORIZER } from "../src/config/authorizer-settings.js";
import { startTestBroker, type TestBroker } from "./helpers/admin-broker.js";
import { records } from "./helpers/data-broker.js";
import { fetchRequest, onlyProduceResult, produceRequest } from "./helpers/data-requests.js";
import { joinRequest } from "./helpers/group-wire.js";

// kafkajs's ACL enums are not visible as ESM named exports (CommonJS module).
const { AclOperationTypes, AclPermissionTypes, AclResourceTypes, ResourcePatternTypes } = kafkajs;

const brokers: TestBroker[] = [];
after(async () => {
  for (const b of brokers) await b.stop();
});

async function start(overrides: Parameters<typeof startTestBroker>[0] = {}) {
  const b = await startTestBroker(overrides);
  brokers.push(b);
  return b;
}

const ADMIN = {
  authorizerClassName: STANDARD_AUTHORIZER,
  superUsers: ["User:ANONYMOUS"],
};
const LOCKED = { authorizerClassName: STANDARD_AUTHORIZER, superUsers: [] };

function creation(over: Partial<Parameters<typeof createCreateAclsRequestAclCreation>[0]>) {
  return createCreateAclsRequestAclCreation({
    resourceType: Type.TOPIC,
    resourceName: "orders",
    resourcePatternType: PatternType.LITERAL,
    principal: "User:ANONYMOUS",
    host: "*",
    operation: Op.READ,
    permissionType: AclPermission.ALLOW,
    ...over,
  });
}

interface FilterFields {
  resourceTypeFilter: number;
  resourceNameFilter: string | null;
  patternTypeFilter: number;
  principalFilter: string | null;
  hostFilter: string | null;
  operation: number;
  permissionType: number;
}

const ANY_FILTER: FilterFields = {
  resourceTypeFilter: Type.ANY,
  resourceNameFilter: null,
  patternTypeFilter: PatternType.ANY,
  principalFilter: null,
  hostFilter: null,
  operation: Op.ANY,
  permissionType: AclPermission.ANY,
};

test("without an authorizer the ACL APIs answer SECURITY_DISABLED", async () => {
  const b = await start();
  const c = await b.client.send(
    CreateAclsApi,
    3,
    createCreateAclsRequest({ creations: [creation({})] }),
  );
  assert.equal(c.results[0]?.errorCode, ErrorCode.SECURITY_DISABLED);
  assert.equal(c.results[0]?.errorMessage, "No Authorizer is configured.");
  const d = await b.client.send(DescribeAclsApi, 3, createDescribeAclsRequest(ANY_FILTER));
  assert.equal(d.errorCode, ErrorCode.SECURITY_DISABLED);
  const x = await b.client.send(
    DeleteAclsApi,
    3,
    createDeleteAclsRequest({ filters: [createDeleteAclsRequestFilter(ANY_FILTER)] }),
  );
  assert.equal(x.filterResults[0]?.errorCode, ErrorCode.SECURITY_DISABLED);
});

test("CreateAcls validates, DescribeAcls filters, DeleteAcls removes, and the ACLs survive a restart", async () => {
  const b = await start(ADMIN);
  const c = await b.client.send(
    CreateAclsApi,
    3,
    createCreateAclsRequest({
      creations: [
        creation({}),
        creation({
          resourceName: "ord",
          resourcePatternType: PatternType.PREFIXED,
          operation: Op.WRITE,
        }),
        creation({ resourceType: Type.GROUP, resourceName: "g", principal: "User:*" }),
        creation({ resourceType: Type.CLUSTER, resourceName: "other" }),
        creation({ resourceName: "" }),
        creation({ principal: "alice" }),
      ],
    }),
  );
  assert.deepEqual(
    c.results.map((r) => r.errorCode),
    [0, 0, 0, ErrorCode.INVALID_REQUEST, ErrorCode.INVALID_REQUEST, ErrorCode.INVALID_REQUEST],
  );
  assert.equal(
    c.results[3]?.errorMessage,
    "The only valid name for the CLUSTER resource is kafka-cluster",
  );

  // A filter-only code (ANY) in any binding fails the whole request, as Kafka.
  const whole = await b.client.send(
    CreateAclsApi,
    3,
    createCreateAclsRequest({
      creations: [creation({ resourceName: "t2" }), creation({ operation: Op.ANY })],
    }),
  );
  assert.deepEqual(
    whole.results.map((r) => r.errorCode),
    [ErrorCode.UNKNOWN_SERVER_ERROR, ErrorCode.UNKNOWN_SERVER_ERROR],
  );

  const describe = (f: Partial<FilterFields>) =>
    b.client.send(DescribeAclsApi, 3, createDescribeAclsRequest({ ...ANY_FILTER, ...f }));
  const all = await describe({});
  assert.equal(all.errorCode, 0);
  assert.equal(all.resources.flatMap((r) => r.acls).length, 3);
  // MATCH: every binding that applies to topic "orders" (the literal and the prefix).
  const match = await describe({
    resourceTypeFilter: Type.TOPIC,
    resourceNameFilter: "orders",
    patternTypeFilter: PatternType.MATCH,
  });
  assert.deepEqual(match.resources.map((r) => [r.resourceName, r.patternType]).sort(), [
    ["ord", PatternType.PREFIXED],
    ["orders", PatternType.LITERAL],
  ]);
  // LITERAL: exact name and pattern type only.
  const literal = await describe({
    resourceTypeFilter: Type.TOPIC,
    resourceNameFilter: "orders",
    patternTypeFilter: PatternType.LITERAL,
  });
  assert.equal(literal.resources.length, 1);

  await b.restart();
  assert.equal((await describe({})).resources.flatMap((r) => r.acls).length, 3);

  const del = await b.client.send(
    DeleteAclsApi,
    3,
    createDeleteAclsRequest({
      filters: [
        createDeleteAclsRequestFilter({ ...ANY_FILTER, resourceTypeFilter: Type.GROUP }),
        createDeleteAclsRequestFilter({ ...ANY_FILTER, resourceTypeFilter: Type.GROUP }),
      ],
    }),
  );
  assert.equal(del.filterResults[0]?.matchingAcls.length, 1);
  // The second filter matched the same binding: both report it, as Kafka.
  assert.equal(del.filterResults[1]?.matchingAcls.length, 1);
  await b.restart();
  assert.equal((await describe({})).resources.flatMap((r) => r.acls).length, 2);
});

test("a principal that is not a super user gets Kafka's authorization errors", async () => {
  const b = await start(ADMIN);
  await b.broker.topics.autoCreate("orders");
  await b.broker.topics.autoCreate("secret");
  // READ on topics starting "ord", nothing else.
  const c = await b.client.send(
    CreateAclsApi,
    3,
    createCreateAclsRequest({
      creations: [creation({ resourceName: "ord", resourcePatternType: PatternType.PREFIXED })],
    }),
  );
  assert.equal(c.results[0]?.errorCode, 0);
  await b.restart({ ...LOCKED });

  const md = await b.client.send(MetadataApi, 12, createMetadataRequest({ topics: null }));
  assert.deepEqual(
    md.topics.map((t) => t.name),
    ["orders"],
  );
  const named = await b.client.send(
    MetadataApi,
    12,
    createMetadataRequest({
      topics: [createMetadataRequestTopic({ name: "secret" })],
      includeTopicAuthorizedOperations: true,
    }),
  );
  assert.equal(named.topics[0]?.errorCode, ErrorCode.TOPIC_AUTHORIZATION_FAILED);
  const ordersOps = await b.client.send(
    MetadataApi,
    12,
    createMetadataRequest({
      topics: [createMetadataRequestTopic({ name: "orders" })],
      includeTopicAuthorizedOperations: true,
    }),
  );
  // READ, and DESCRIBE implied by it.
  assert.equal(ordersOps.topics[0]?.topicAuthorizedOperations, (1 << Op.READ) | (1 << Op.DESCRIBE));

  const dtp = await b.client.send(
    DescribeTopicPartitionsApi,
    0,
    createDescribeTopicPartitionsRequest({ topics: [], responsePartitionLimit: 100 }),
  );
  assert.deepEqual(
    dtp.topics.map((t) => t.name),
    ["orders"],
  );

  const batch = await buildBatch(records(1));
  const produced = await b.client.send(ProduceApi, 9, produceRequest("orders", 0, batch));
  assert.equal(onlyProduceResult(produced).errorCode, ErrorCode.TOPIC_AUTHORIZATION_FAILED);

  const fetched = await b.client.send(
    FetchApi,
    12,
    fetchRequest([
      { topic: "orders", partition: 0, offset: 0n },
      { topic: "secret", partition: 0, offset: 0n },
    ]),
  );
  const codes = new Map(
    fetched.responses.flatMap((t) => t.partitions.map((p) => [t.topic, p.errorCode])),
  );
  assert.equal(codes.get("orders"), ErrorCode.NONE);
  assert.equal(codes.get("secret"), ErrorCode.TOPIC_AUTHORIZATION_FAILED);

  const lo = await b.client.send(
    ListOffsetsApi,
    7,
    createListOffsetsRequest({
      replicaId: -1,
      topics: ["orders", "secret"].map((name) =>
        createListOffsetsRequestTopic({
          name,
          partitions: [createListOffsetsRequestPartition({ partitionIndex: 0, timestamp: -1n })],
        }),
      ),
    }),
  );
  assert.deepEqual(
    lo.topics.map((t) => t.partitions[0]?.errorCode),
    [ErrorCode.NONE, ErrorCode.TOPIC_AUTHORIZATION_FAILED],
  );

  const commit = await b.client.send(
    OffsetCommitApi,
    8,
    createOffsetCommitRequest({
      groupId: "g",
      generationIdOrMemberEpoch: -1,
      topics: [
        createOffsetCommitRequestTopic({
          name: "orders",
          partitions: [createOffsetCommitRequestPartition({ partitionIndex: 0 })],
        }),
      ],
    }),
  );
  assert.equal(commit.topics[0]?.partitions[0]?.errorCode, ErrorCode.GROUP_AUTHORIZATION_FAILED);

  const join = await b.client.send(JoinGroupApi, 9, joinRequest("g", ""));
  assert.equal(join.errorCode, ErrorCode.GROUP_AUTHORIZATION_FAILED);

  const pid = await b.client.send(
    InitProducerIdApi,
    5,
    createInitProducerIdRequest({ transactionalId: null, transactionTimeoutMs: 1000 }),
  );
  assert.equal(pid.errorCode, ErrorCode.CLUSTER_AUTHORIZATION_FAILED);
  const txnPid = await b.client.send(
    InitProducerIdApi,
    5,
    createInitProducerIdRequest({ transactionalId: "t", transactionTimeoutMs: 1000 }),
  );
  assert.equal(txnPid.errorCode, ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED);

  const lcr = await b.client.send(
    ListConfigResourcesApi,
    1,
    createListConfigResourcesRequest({ resourceTypes: [] }),
  );
  assert.equal(lcr.errorCode, ErrorCode.CLUSTER_AUTHORIZATION_FAILED);

  const denied = await b.client.send(
    CreateAclsApi,
    3,
    createCreateAclsRequest({ creations: [creation({})] }),
  );
  assert.equal(denied.results[0]?.errorCode, ErrorCode.CLUSTER_AUTHORIZATION_FAILED);

  // allow.everyone.if.no.acl.found: "secret" has no ACL, so it opens; "orders" does not.
  await b.restart({ ...LOCKED, allowEveryoneIfNoAclFound: true });
  const open = await b.client.send(ProduceApi, 9, produceRequest("secret", 0, batch));
  assert.equal(onlyProduceResult(open).errorCode, ErrorCode.NONE);
  const still = await b.client.send(ProduceApi, 9, produceRequest("orders", 0, batch));
  assert.equal(onlyProduceResult(still).errorCode, ErrorCode.TOPIC_AUTHORIZATION_FAILED);
});

test("kafkajs sees TOPIC_AUTHORIZATION_FAILED and can manage ACLs with its admin", async () => {
  const b = await start({ ...LOCKED, allowEveryoneIfNoAclFound: true });
  await b.broker.topics.autoCreate("kjs-denied");
  const kafka = new Kafka({
    clientId: "acl-test",
    brokers: [`127.0.0.1:${b.port}`],
    logLevel: logLevel.NOTHING,
    retry: { retries: 0 },
  });
  const admin = kafka.admin();
  await admin.connect();
  try {
    await admin.createAcls({
      acl: [
        {
          resourceType: AclResourceTypes.TOPIC,
          resourceName: "kjs-denied",
          resourcePatternType: ResourcePatternTypes.LITERAL,
          principal: "User:ANONYMOUS",
          host: "*",
          operation: AclOperationTypes.WRITE,
          permissionType: AclPermissionTypes.DENY,
        },
        {
          // DESCRIBE, so that its Metadata answers and the Produce is what is refused.
          resourceType: AclResourceTypes.TOPIC,
          resourceName: "kjs-denied",
          resourcePatternType: ResourcePatternTypes.LITERAL,
          principal: "User:ANONYMOUS",
          host: "*",
          operation: AclOperationTypes.DESCRIBE,
          permissionType: AclPermissionTypes.ALLOW,
        },
      ],
    });
    const described = await admin.describeAcls({
      resourceType: AclResourceTypes.TOPIC,
      resourcePatternType: ResourcePatternTypes.ANY,
      operation: AclOperationTypes.ANY,
      permissionType: AclPermissionTypes.ANY,
    });
    assert.equal(described.resources[0]?.acls.length, 2);
    const producer = kafka.producer({ allowAutoTopicCreation: false, retry: { retries: 0 } });
    await producer.connect();
    try {
      await assert.rejects(
        producer.send({ topic: "kjs-denied", messages: [{ value: "x" }] }),
        (e: Error & { type?: string; cause?: { type?: string } }) =>
          (e.type ?? e.cause?.type) === "TOPIC_AUTHORIZATION_FAILED",
      );
    } finally {
      await producer.disconnect();
    }
  } finally {
    await admin.disconnect();
  }
});
