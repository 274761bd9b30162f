/**
 * Share-partition APIs against Kafka 4.4.0 (KIP-932, share groups on by default there):
 * ShareFetch and ShareAcknowledge before any membership (unknown member, sessions that
 * do not exist, closing epochs, no group id; v2's acquire modes and renew
 * acknowledgements and their checks), and the share offsets admin APIs on
 * groups and topics that do not exist. Joining a share group needs
 * ShareGroupHeartbeat, which is share-group membership's part; the acquire and
 * acknowledge paths are compared by the Java KafkaShareConsumer tests
 * (integration-tests/share-groups.test.ts) and the handler tests.
 */
import { after, before, test } from "node:test";
import {
  AlterShareGroupOffsetsApi,
  createAlterShareGroupOffsetsRequest,
  createDeleteShareGroupOffsetsRequest,
  createDescribeShareGroupOffsetsRequest,
  createShareAcknowledgeRequest,
  createShareFetchRequest,
  createShareGroupHeartbeatRequest,
  createUpdateFeaturesRequest,
  DeleteShareGroupOffsetsApi,
  DescribeShareGroupOffsetsApi,
  ErrorCode,
  ShareAcknowledgeApi,
  ShareFetchApi,
  ShareGroupHeartbeatApi,
  UpdateFeaturesApi,
} from "@logbook/protocol";
import { type Conversation, DiffPair, type Side } from "./pair.js";
import { settleCoordinator, topicIds } from "./setup.js";

let pair: DiffPair;
let conv: Conversation;
let ids: Record<Side, Buffer>;
const TOPIC = "share-diff";
/** A member id in Kafka's Uuid form that no share group knows. */
const STRANGER = "AAAAAAAAAAAAAAAAAAAAAQ";

before(async () => {
  pair = await DiffPair.start();
  conv = await pair.conversation();
  await conv.createTopic(TOPIC, 2);
  ids = await topicIds(conv, TOPIC);
  // Kafka answers NOT_COORDINATOR until its group coordinator has loaded.
  await settleCoordinator(conv, "share-diff-none", 0);
});
after(async () => {
  conv?.close();
  await pair?.stop();
});

const fetchOf = (side: Side, over: Parameters<typeof createShareFetchRequest>[0] = {}) =>
  createShareFetchRequest({
    memberId: STRANGER,
    shareSessionEpoch: 0,
    maxWaitMs: 0,
    minBytes: 1,
    maxRecords: 10,
    batchSize: 10,
    topics: [
      {
        topicId: ids[side],
        partitions: [{ partitionIndex: 0, partitionMaxBytes: 0, acknowledgementBatches: [] }],
      },
    ],
    ...over,
  });

/** Partition 0 of the topic with one acknowledgement batch (accept offset 0). */
const ackOn = (topicId: Buffer) => [
  {
    topicId,
    partitions: [
      {
        partitionIndex: 0,
        partitionMaxBytes: 0,
        acknowledgementBatches: [{ firstOffset: 0n, lastOffset: 0n, acknowledgeTypes: [1] }],
      },
    ],
  },
];

test("ShareFetch from a member no share group knows: its session opens, continues and closes, with no partitions", async () => {
  for (const v of [1, 2]) {
    const groupId = `share-diff-v${v}`;
    await conv.same(ShareFetchApi, v, (s) => fetchOf(s, { groupId }));
    await conv.same(ShareFetchApi, v, (s) => fetchOf(s, { groupId, shareSessionEpoch: 3 }));
    await conv.same(ShareFetchApi, v, (s) => fetchOf(s, { groupId, shareSessionEpoch: 1 }));
    // Acknowledging what it never got: INVALID_RECORD_STATE for that partition.
    await conv.same(ShareFetchApi, v, (s) =>
      fetchOf(s, { groupId, shareSessionEpoch: 2, topics: ackOn(ids[s]) }),
    );
    // The closing epoch may carry acknowledgements too.
    await conv.same(ShareFetchApi, v, (s) =>
      fetchOf(s, { groupId, shareSessionEpoch: -1, topics: ackOn(ids[s]) }),
    );
    await conv.same(ShareFetchApi, v, (s) => fetchOf(s, { groupId, shareSessionEpoch: 3 }));
  }
});

test("ShareFetch without a member id, and acknowledgements on the opening epoch", async () => {
  await conv.same(ShareFetchApi, 1, (s) => fetchOf(s, { groupId: "share-diff-x", memberId: "" }));
  await conv.same(ShareFetchApi, 2, (s) =>
    fetchOf(s, { groupId: "share-diff-x", topics: ackOn(ids[s]) }),
  );
});

/** Partition 0 with one acknowledgement batch of `type` on offset 0. */
const ackTypeOn = (topicId: Buffer, type: number) => [
  {
    topicId,
    partitions: [
      {
        partitionIndex: 0,
        partitionMaxBytes: 0,
        acknowledgementBatches: [{ firstOffset: 0n, lastOffset: 0n, acknowledgeTypes: [type] }],
      },
    ],
  },
];
const RENEW = 4;
/** What a renew-only ShareFetch (KIP-1222) carries: no fetch parameters. */
const RENEW_ONLY = { isRenewAck: true, maxBytes: 0, minBytes: 0, maxRecords: 0, maxWaitMs: 0 };

test("ShareFetch v2: acquire modes, an unknown one, and IsRenewAck with fetch parameters", async () => {
  const groupId = "share-diff-modes";
  for (const shareAcquireMode of [0, 1, 2, -1]) {
    await conv.same(ShareFetchApi, 2, (s) => fetchOf(s, { groupId, shareAcquireMode }));
    await conv.same(ShareFetchApi, 2, (s) =>
      fetchOf(s, { groupId, shareAcquireMode, shareSessionEpoch: -1 }),
    );
  }
  for (const field of ["maxBytes", "minBytes", "maxRecords", "maxWaitMs"] as const) {
    await conv.same(ShareFetchApi, 2, (s) => fetchOf(s, { groupId, ...RENEW_ONLY, [field]: 5 }));
  }
});

test("RENEW acknowledgements: refused at v1 and without IsRenewAck, checked against the records held with it", async () => {
  const groupId = "share-diff-renew";
  await conv.same(ShareFetchApi, 2, (s) => fetchOf(s, { groupId }));
  await conv.same(ShareFetchApi, 1, (s) =>
    fetchOf(s, { groupId, shareSessionEpoch: 1, topics: ackTypeOn(ids[s], RENEW) }),
  );
  await conv.same(ShareFetchApi, 2, (s) =>
    fetchOf(s, { groupId, shareSessionEpoch: 2, topics: ackTypeOn(ids[s], RENEW) }),
  );
  await conv.same(ShareFetchApi, 2, (s) =>
    fetchOf(s, { groupId, shareSessionEpoch: 3, ...RENEW_ONLY, topics: ackTypeOn(ids[s], RENEW) }),
  );
  // An unknown type is refused the same way at both versions.
  await conv.same(ShareFetchApi, 2, (s) =>
    fetchOf(s, { groupId, shareSessionEpoch: 4, ...RENEW_ONLY, topics: ackTypeOn(ids[s], 5) }),
  );
  const ack = (s: Side, epoch: number, type: number, isRenewAck: boolean) =>
    createShareAcknowledgeRequest({
      groupId,
      memberId: STRANGER,
      shareSessionEpoch: epoch,
      isRenewAck,
      topics: [
        {
          topicId: ids[s],
          partitions: [
            {
              partitionIndex: 0,
              acknowledgementBatches: [
                { firstOffset: 0n, lastOffset: 0n, acknowledgeTypes: [type] },
              ],
            },
          ],
        },
      ],
    });
  await conv.same(ShareAcknowledgeApi, 1, (s) => ack(s, 5, RENEW, false));
  await conv.same(ShareAcknowledgeApi, 2, (s) => ack(s, 6, RENEW, false));
  // With IsRenewAck: the member holds nothing; the answer carries the lock duration.
  await conv.same(ShareAcknowledgeApi, 2, (s) => ack(s, 7, RENEW, true));
  await conv.same(ShareAcknowledgeApi, 2, (s) => ack(s, -1, RENEW, true));
});

test("ShareAcknowledge outside a session: epoch 0, a later epoch, the closing epoch", async () => {
  for (const v of [1, 2]) {
    for (const epoch of [0, 1, -1]) {
      await conv.same(ShareAcknowledgeApi, v, (s) =>
        createShareAcknowledgeRequest({
          groupId: "share-diff-ack",
          memberId: STRANGER,
          shareSessionEpoch: epoch,
          topics: [
            {
              topicId: ids[s],
              partitions: [
                {
                  partitionIndex: 0,
                  acknowledgementBatches: [
                    { firstOffset: 0n, lastOffset: 0n, acknowledgeTypes: [1] },
                  ],
                },
              ],
            },
          ],
        }),
      );
    }
  }
});

test("DescribeShareGroupOffsets of a group with no state: named topics, missing topics, all topics", async () => {
  for (const v of [0, 1]) {
    await conv.same(
      DescribeShareGroupOffsetsApi,
      v,
      createDescribeShareGroupOffsetsRequest({
        groups: [
          {
            groupId: "share-diff-none",
            topics: [
              { topicName: "share-diff-missing", partitions: [0] },
              { topicName: TOPIC, partitions: [0, 1] },
            ],
          },
          { groupId: "share-diff-none", topics: null },
        ],
      }),
    );
  }
});

test("AlterShareGroupOffsets creates the group, DeleteShareGroupOffsets needs one; no group id", async () => {
  await conv.same(
    AlterShareGroupOffsetsApi,
    0,
    createAlterShareGroupOffsetsRequest({
      groupId: "share-diff-none",
      topics: [
        { topicName: TOPIC, partitions: [{ partitionIndex: 0, startOffset: 0n }] },
        { topicName: "share-diff-missing", partitions: [{ partitionIndex: 0, startOffset: 0n }] },
      ],
    }),
  );
  await conv.same(
    AlterShareGroupOffsetsApi,
    0,
    createAlterShareGroupOffsetsRequest({ groupId: "", topics: [] }),
  );
  await conv.same(
    DeleteShareGroupOffsetsApi,
    0,
    createDeleteShareGroupOffsetsRequest({
      groupId: "share-diff-never",
      topics: [{ topicName: TOPIC }],
    }),
  );
  await conv.same(
    DeleteShareGroupOffsetsApi,
    0,
    createDeleteShareGroupOffsetsRequest({
      groupId: "share-diff-none",
      topics: [{ topicName: TOPIC }, { topicName: "share-diff-missing" }],
    }),
  );
});

test("share.version 0 turns share groups off (UNSUPPORTED_VERSION) until it is raised again", async () => {
  const setLevel = (level: number, upgradeType: number) =>
    conv.same(
      UpdateFeaturesApi,
      1,
      createUpdateFeaturesRequest({
        timeoutMs: 5000,
        featureUpdates: [
          { feature: "share.version", maxVersionLevel: level, allowDowngrade: false, upgradeType },
        ],
      }),
    );
  // Kafka applies a finalized level once its metadata log has it, which may be a moment
  // after UpdateFeatures answers: each side is asked until it refuses (a side that never
  // does still fails the comparison).
  const heartbeat = () =>
    conv.settle(
      ShareGroupHeartbeatApi,
      1,
      createShareGroupHeartbeatRequest({
        groupId: "share-diff-off",
        memberId: STRANGER,
        memberEpoch: 0,
        subscribedTopicNames: [TOPIC],
      }),
      (r) => r.errorCode !== ErrorCode.UNSUPPORTED_VERSION,
    );
  try {
    await setLevel(0, 2);
    await heartbeat();
    await conv.same(ShareFetchApi, 2, (s) => fetchOf(s, { groupId: "share-diff-off" }));
  } finally {
    await setLevel(2, 1);
  }
});
