/**
 * The ACL checks that follow Kafka's less common paths: a follower's Fetch needs
 * CLUSTER_ACTION (not READ), DescribeGroups and ShareGroupDescribe report the caller's
 * group operations,
 * transactional batches need a transactional id even without an authorizer, and share
 * acknowledgements on a topic the member may no longer READ are refused, not applied.
 */
import assert from "node:assert/strict";
import { after, test } from "node:test";
import {
  buildBatch,
  CreateAclsApi,
  createCreateAclsRequest,
  createCreateAclsRequestAclCreation,
  createDescribeGroupsRequest,
  createFetchRequestReplicaState,
  createShareGroupDescribeRequest,
  createShareGroupHeartbeatRequest,
  DescribeGroupsApi,
  ErrorCode,
  FetchApi,
  ProduceApi,
  ShareAcknowledgeApi,
  ShareFetchApi,
  ShareGroupDescribeApi,
  ShareGroupHeartbeatApi,
} from "@logbook/protocol";
import { silentLogger } from "@logbook/storage";
import {
  AclPermission,
  AclOperation as Op,
  PatternType,
  AclResourceType as Type,
} from "../src/acl/acl-types.js";
import { Authorizer } from "../src/acl/authorizer.js";
import { STANDARD_AUTHORIZER } from "../src/config/authorizer-settings.js";
import { startTestBroker, type TestBroker } from "./helpers/admin-broker.js";
import { records } from "./helpers/data-broker.js";
import { fetchRequest, onlyProduceResult, produceRequest } from "./helpers/data-requests.js";
import {
  acquired,
  onlyPartition,
  shareAck,
  shareFetch,
  shareTestBroker,
} from "./helpers/share-fakes.js";

const brokers: TestBroker[] = [];
after(async () => {
  for (const b of brokers) await b.stop();
});

const ADMIN = { authorizerClassName: STANDARD_AUTHORIZER, superUsers: ["User:ANONYMOUS"] };
const LOCKED = { authorizerClassName: STANDARD_AUTHORIZER, superUsers: [] };

function allow(resourceType: number, resourceName: string, operation: number) {
  return createCreateAclsRequestAclCreation({
    resourceType,
    resourceName,
    resourcePatternType: PatternType.LITERAL,
    principal: "User:ANONYMOUS",
    host: "*",
    operation,
    permissionType: AclPermission.ALLOW,
  });
}

/** Creates the ACLs as a super user, then restarts the broker with no super user. */
async function lockedWith(b: TestBroker, creations: ReturnType<typeof allow>[]): Promise<void> {
  await b.restart(ADMIN);
  const r = await b.client.send(CreateAclsApi, 3, createCreateAclsRequest({ creations }));
  assert.deepEqual(
    r.results.map((x) => x.errorCode),
    creations.map(() => ErrorCode.NONE),
  );
  await b.restart(LOCKED);
}

test("a follower's Fetch needs CLUSTER_ACTION on the cluster, and then no READ on the topics", async () => {
  const b = await startTestBroker(ADMIN);
  brokers.push(b);
  await b.broker.topics.autoCreate("orders");
  await b.broker.topics.autoCreate("secret");
  await lockedWith(b, [allow(Type.TOPIC, "orders", Op.READ)]);
  // v13+ names topics by id.
  const parts = ["orders", "secret"].map((topic) => ({
    topic,
    topicId: b.broker.topics.get(topic)?.id,
    partition: 0,
    offset: 0n,
  }));
  const codes = async (version: number, replicaId: number) => {
    const req =
      version >= 15
        ? fetchRequest(parts, { replicaState: createFetchRequestReplicaState({ replicaId }) })
        : fetchRequest(parts, { replicaId });
    const res = await b.client.send(FetchApi, version, req);
    return res.responses.flatMap((t) => t.partitions.map((p) => p.errorCode));
  };
  // A consumer: READ per topic.
  assert.deepEqual(await codes(12, -1), [ErrorCode.NONE, ErrorCode.TOPIC_AUTHORIZATION_FAILED]);
  // A follower without CLUSTER_ACTION: every partition refused, even the readable one.
  const refused = [ErrorCode.TOPIC_AUTHORIZATION_FAILED, ErrorCode.TOPIC_AUTHORIZATION_FAILED];
  assert.deepEqual(await codes(12, 1), refused);

  await lockedWith(b, [allow(Type.CLUSTER, "kafka-cluster", Op.CLUSTER_ACTION)]);
  // Authorised alike, READ or not; then, as Kafka, a single node knows no follower
  // replica (acl-follower-fetch.test.ts compares the whole answer with Kafka 4.4).
  const unknownFollower = [ErrorCode.NOT_LEADER_OR_FOLLOWER, ErrorCode.NOT_LEADER_OR_FOLLOWER];
  assert.deepEqual(await codes(12, 1), unknownFollower);
  // v15+ carries the replica id in ReplicaState.
  assert.deepEqual(await codes(15, 1), unknownFollower);
  assert.deepEqual(await codes(15, -1), [ErrorCode.NONE, ErrorCode.TOPIC_AUTHORIZATION_FAILED]);
});

test("DescribeGroups reports the group operations the caller may do, when asked", async () => {
  const b = await startTestBroker(ADMIN);
  brokers.push(b);
  await lockedWith(b, [
    allow(Type.GROUP, "watched", Op.DESCRIBE),
    allow(Type.GROUP, "owned", Op.READ),
    allow(Type.GROUP, "owned", Op.DELETE),
  ]);
  const describe = (includeAuthorizedOperations: boolean) =>
    b.client.send(
      DescribeGroupsApi,
      5,
      createDescribeGroupsRequest({
        groups: ["watched", "owned", "hidden"],
        includeAuthorizedOperations,
      }),
    );
  const asked = await describe(true);
  assert.deepEqual(
    asked.groups.map((g) => [g.errorCode, g.authorizedOperations]),
    [
      [ErrorCode.NONE, 1 << Op.DESCRIBE],
      [ErrorCode.NONE, (1 << Op.READ) | (1 << Op.DELETE) | (1 << Op.DESCRIBE)],
      [ErrorCode.GROUP_AUTHORIZATION_FAILED, -2147483648],
    ],
  );
  const notAsked = await describe(false);
  assert.deepEqual(
    notAsked.groups.map((g) => g.authorizedOperations),
    [-2147483648, -2147483648, -2147483648],
  );
});

test("ShareGroupDescribe reports the group operations the caller may do, when asked", async () => {
  const b = await startTestBroker(ADMIN);
  brokers.push(b);
  await b.broker.topics.autoCreate("work");
  await lockedWith(b, [allow(Type.GROUP, "sg", Op.READ), allow(Type.TOPIC, "work", Op.DESCRIBE)]);
  const joined = await b.client.send(
    ShareGroupHeartbeatApi,
    1,
    createShareGroupHeartbeatRequest({
      groupId: "sg",
      memberId: "m-sg",
      memberEpoch: 0,
      subscribedTopicNames: ["work"],
    }),
  );
  assert.equal(joined.errorCode, ErrorCode.NONE, joined.errorMessage ?? "");
  const describe = (includeAuthorizedOperations: boolean) =>
    b.client.send(
      ShareGroupDescribeApi,
      1,
      createShareGroupDescribeRequest({ groupIds: ["sg"], includeAuthorizedOperations }),
    );
  const asked = (await describe(true)).groups[0];
  assert.equal(asked?.errorCode, ErrorCode.NONE);
  // READ, and DESCRIBE implied by it.
  assert.equal(asked?.authorizedOperations, (1 << Op.READ) | (1 << Op.DESCRIBE));
  assert.equal((await describe(false)).groups[0]?.authorizedOperations, -2147483648);
});

test("transactional batches without a transactional id are refused, even with no authorizer", async () => {
  const b = await startTestBroker();
  brokers.push(b);
  await b.broker.topics.autoCreate("orders");
  const txn = await buildBatch(records(1), {
    isTransactional: true,
    producerId: 7n,
    producerEpoch: 0,
    baseSequence: 0,
  });
  const refused = await b.client.send(ProduceApi, 9, produceRequest("orders", 0, txn));
  assert.equal(
    onlyProduceResult(refused).errorCode,
    ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED,
  );
  // Refused before acks are looked at, as Kafka.
  const badAcks = await b.client.send(ProduceApi, 9, produceRequest("orders", 0, txn, 5));
  assert.equal(
    onlyProduceResult(badAcks).errorCode,
    ErrorCode.TRANSACTIONAL_ID_AUTHORIZATION_FAILED,
  );
  const plain = await b.client.send(
    ProduceApi,
    9,
    produceRequest("orders", 0, await buildBatch(records(1))),
  );
  assert.equal(onlyProduceResult(plain).errorCode, ErrorCode.NONE);
});

test("share acknowledgements on a topic the member may not READ are refused and not applied", async () => {
  const b = await shareTestBroker({ autoOffsetReset: { kind: "earliest" } });
  try {
    b.membership.join("g", "m1");
    const topicId = b.topics.add("acked", 1).id;
    const tp = { topicId, partition: 0 };
    const batch = await buildBatch(records(2));
    assert.equal(
      onlyProduceResult(await b.call(ProduceApi, 9, produceRequest("acked", 0, batch))).errorCode,
      ErrorCode.NONE,
    );
    const first = await b.call(ShareFetchApi, 1, shareFetch("g", "m1", 0, [tp]));
    assert.deepEqual(acquired(onlyPartition(first)), [[0n, 1n, 1]]);

    // From now on only the group may be read: the topic has an ACL, and not for READ.
    const authorizer = Authorizer.open(
      { ...LOCKED, allowEveryoneIfNoAclFound: true },
      { aclBindings: () => [], writeAcls: async () => {} },
      silentLogger,
    );
    Object.assign(b.broker, { authorizer });
    await authorizer?.create([
      {
        resourceType: Type.TOPIC,
        resourceName: "acked",
        patternType: PatternType.LITERAL,
        principal: "User:ANONYMOUS",
        host: "*",
        operation: Op.DESCRIBE,
        permission: AclPermission.ALLOW,
      },
    ]);
    const ACCEPT = 1;
    const acked = await b.call(
      ShareFetchApi,
      1,
      shareFetch("g", "m1", 1, [{ ...tp, acks: [{ first: 0n, last: 1n, types: [ACCEPT] }] }]),
    );
    const p = onlyPartition(acked);
    assert.equal(p?.acknowledgeErrorCode, ErrorCode.TOPIC_AUTHORIZATION_FAILED);
    const viaAck = await b.call(
      ShareAcknowledgeApi,
      1,
      shareAck("g", "m1", 2, [{ ...tp, acks: [{ first: 0n, last: 1n, types: [ACCEPT] }] }]),
    );
    assert.equal(
      viaAck.responses[0]?.partitions[0]?.errorCode,
      ErrorCode.TOPIC_AUTHORIZATION_FAILED,
    );
    // Nothing was accepted: the records are still the member's to acknowledge.
    Object.assign(b.broker, { authorizer: null });
    const again = await b.call(
      ShareFetchApi,
      1,
      shareFetch("g", "m1", 3, [{ ...tp, acks: [{ first: 0n, last: 1n, types: [ACCEPT] }] }]),
    );
    assert.equal(onlyPartition(again)?.acknowledgeErrorCode, ErrorCode.NONE);
  } finally {
    await b.close();
  }
});
