/**
 * OffsetCommit and OffsetFetch over the wire with our codec at old and new versions:
 * metadata strings and leader epochs round-trip, unknown partitions, null topic lists,
 * batched groups, group-level errors, generation checks, offsets surviving a restart
 * and dropped with their topic.
 */
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import {
  createDeleteTopicsRequest,
  createOffsetCommitRequest,
  createOffsetCommitRequestPartition,
  createOffsetCommitRequestTopic,
  createOffsetFetchRequest,
  createOffsetFetchRequestGroup,
  createOffsetFetchRequestTopic,
  createOffsetFetchRequestTopics,
  DeleteTopicsApi,
  ErrorCode,
  OffsetCommitApi,
  type OffsetCommitRequest,
  type OffsetCommitResponse,
  OffsetFetchApi,
  type OffsetFetchResponse,
} from "@logbook/protocol";
import type { TestBroker } from "./helpers/admin-broker.js";
import { createTopic, joinWithMemberId, startGroupBroker, sync } from "./helpers/group-wire.js";

let b: TestBroker;
before(async () => {
  b = await startGroupBroker();
  await createTopic(b, "orders", 3);
  await createTopic(b, "audit", 1);
});
after(async () => {
  await b.stop();
});

interface Commit {
  topic: string;
  partition: number;
  offset: bigint;
  epoch?: number;
  metadata?: string | null;
}

function commit(
  version: number,
  groupId: string,
  offsets: Commit[],
  init: Partial<OffsetCommitRequest> = {},
): Promise<OffsetCommitResponse> {
  const topics = [...new Set(offsets.map((o) => o.topic))].map((name) =>
    createOffsetCommitRequestTopic({
      name,
      partitions: offsets
        .filter((o) => o.topic === name)
        .map((o) =>
          createOffsetCommitRequestPartition({
            partitionIndex: o.partition,
            committedOffset: o.offset,
            committedLeaderEpoch: o.epoch ?? -1,
            committedMetadata: o.metadata === undefined ? "" : o.metadata,
          }),
        ),
    }),
  );
  return b.client.send(
    OffsetCommitApi,
    version,
    createOffsetCommitRequest({
      groupId,
      generationIdOrMemberEpoch: -1,
      memberId: "",
      topics,
      ...init,
    }),
  );
}

function commitErrors(r: OffsetCommitResponse): [string, number, number][] {
  return r.topics.flatMap((t) =>
    t.partitions.map((p): [string, number, number] => [t.name, p.partitionIndex, p.errorCode]),
  );
}

function fetch(
  version: number,
  groupId: string,
  topics: [string, number[]][] | null,
  requireStable = false,
): Promise<OffsetFetchResponse> {
  return b.client.send(
    OffsetFetchApi,
    version,
    createOffsetFetchRequest({
      groupId,
      requireStable,
      topics:
        topics === null
          ? null
          : topics.map(([name, partitionIndexes]) =>
              createOffsetFetchRequestTopic({ name, partitionIndexes }),
            ),
    }),
  );
}

type Row = [string, number, bigint, number, string | null, number];

function rows(r: OffsetFetchResponse): Row[] {
  return r.topics.flatMap((t) =>
    t.partitions.map(
      (p): Row => [
        t.name,
        p.partitionIndex,
        p.committedOffset,
        p.committedLeaderEpoch,
        p.metadata,
        p.errorCode,
      ],
    ),
  );
}

test("v0 simple commit, v1 fetch (kafka-python's OffsetFetch)", async () => {
  const c = await commit(0, "g-simple", [
    { topic: "orders", partition: 0, offset: 10n, metadata: "m0" },
    { topic: "orders", partition: 2, offset: 7n, metadata: null },
  ]);
  assert.deepEqual(commitErrors(c), [
    ["orders", 0, ErrorCode.NONE],
    ["orders", 2, ErrorCode.NONE],
  ]);
  const f = await fetch(1, "g-simple", [["orders", [0, 1, 2]]]);
  const got = rows(f).map(([t, p, o, , m, e]) => [t, p, o, m, e]);
  assert.deepEqual(got[0], ["orders", 0, 10n, "m0", ErrorCode.NONE]);
  assert.deepEqual(got[1]?.slice(0, 3), ["orders", 1, -1n], "nothing committed: -1");
  assert.equal(got[1]?.[4], ErrorCode.NONE);
  assert.deepEqual(got[2]?.slice(0, 3), ["orders", 2, 7n]);
});

test("kafka-python's OffsetCommit v2 (retention) and the leader epoch from v6, read back by v5+", async () => {
  const v2 = await commit(
    2,
    "g-epoch",
    [{ topic: "orders", partition: 1, offset: 100n, metadata: "py" }],
    { retentionTimeMs: 86_400_000n },
  );
  assert.deepEqual(commitErrors(v2), [["orders", 1, ErrorCode.NONE]]);
  const v7 = await commit(7, "g-epoch", [
    { topic: "orders", partition: 0, offset: 42n, epoch: 5, metadata: "with-epoch" },
  ]);
  assert.deepEqual(commitErrors(v7), [["orders", 0, ErrorCode.NONE]]);
  const f5 = rows(await fetch(5, "g-epoch", [["orders", [0, 1]]]));
  assert.deepEqual(f5, [
    ["orders", 0, 42n, 5, "with-epoch", ErrorCode.NONE],
    ["orders", 1, 100n, -1, "py", ErrorCode.NONE],
  ]);
  // Before v5 the response has no epoch field: the decoder's default comes back.
  const f3 = rows(await fetch(3, "g-epoch", [["orders", [0]]]));
  assert.deepEqual(f3[0]?.slice(0, 3), ["orders", 0, 42n]);
});

test("unknown topics and partitions are refused per partition, the rest is stored", async () => {
  const r = await commit(8, "g-unknown", [
    { topic: "orders", partition: 0, offset: 1n },
    { topic: "orders", partition: 9, offset: 1n },
    { topic: "no-such-topic", partition: 0, offset: 1n },
  ]);
  assert.deepEqual(commitErrors(r), [
    ["orders", 0, ErrorCode.NONE],
    ["orders", 9, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION],
    ["no-such-topic", 0, ErrorCode.UNKNOWN_TOPIC_OR_PARTITION],
  ]);
  const f = rows(await fetch(6, "g-unknown", null));
  assert.deepEqual(
    f.map(([t, p, o]) => [t, p, o]),
    [["orders", 0, 1n]],
  );
});

test("v2+ null topics fetch every committed partition; require_stable (v7) answers stable offsets", async () => {
  await commit(8, "g-all", [
    { topic: "orders", partition: 2, offset: 5n, metadata: "x" },
    { topic: "audit", partition: 0, offset: 9n, epoch: 1, metadata: "y" },
  ]);
  for (const v of [2, 7]) {
    const f = await fetch(v, "g-all", null, v >= 7);
    assert.equal(f.errorCode, ErrorCode.NONE);
    const got = rows(f)
      .map(([t, p, o, , m]) => `${t}/${p}=${o}:${m}`)
      .sort();
    assert.deepEqual(got, ["audit/0=9:y", "orders/2=5:x"]);
  }
});

test("v8+ fetch batches groups, each with its own result", async () => {
  await commit(9, "g-batch-a", [{ topic: "orders", partition: 0, offset: 11n, epoch: 2 }]);
  await commit(9, "g-batch-b", [{ topic: "audit", partition: 0, offset: 22n }]);
  for (const v of [8, 9]) {
    const r = await b.client.send(
      OffsetFetchApi,
      v,
      createOffsetFetchRequest({
        groups: [
          createOffsetFetchRequestGroup({
            groupId: "g-batch-a",
            topics: [
              createOffsetFetchRequestTopics({
                name: "orders",
                partitionIndexes: [0],
              }),
            ],
          }),
          createOffsetFetchRequestGroup({ groupId: "g-batch-b", topics: null }),
        ],
        requireStable: true,
      }),
    );
    assert.deepEqual(
      r.groups.map((g) => [
        g.groupId,
        g.errorCode,
        g.topics.flatMap((t) =>
          t.partitions.map((p) => [
            t.name,
            p.partitionIndex,
            p.committedOffset,
            p.committedLeaderEpoch,
          ]),
        ),
      ]),
      [
        ["g-batch-a", ErrorCode.NONE, [["orders", 0, 11n, 2]]],
        ["g-batch-b", ErrorCode.NONE, [["audit", 0, 22n, -1]]],
      ],
    );
  }
});

test("members commit with their generation; a stale generation or unknown member is refused", async () => {
  const { joined } = await joinWithMemberId(b.client, 5, "g-member");
  const id = joined.memberId;
  assert.equal(
    (await sync(b.client, 3, "g-member", joined.generationId, id, [[id, "x"]])).errorCode,
    0,
  );
  const ok = await commit(
    8,
    "g-member",
    [{ topic: "orders", partition: 0, offset: 3n, epoch: 0, metadata: "m" }],
    { generationIdOrMemberEpoch: joined.generationId, memberId: id },
  );
  assert.deepEqual(commitErrors(ok), [["orders", 0, ErrorCode.NONE]]);
  const stale = await commit(8, "g-member", [{ topic: "orders", partition: 0, offset: 4n }], {
    generationIdOrMemberEpoch: joined.generationId + 5,
    memberId: id,
  });
  assert.deepEqual(commitErrors(stale), [["orders", 0, ErrorCode.ILLEGAL_GENERATION]]);
  const stranger = await commit(8, "g-member", [{ topic: "orders", partition: 0, offset: 4n }], {
    generationIdOrMemberEpoch: joined.generationId,
    memberId: "stranger",
  });
  assert.deepEqual(commitErrors(stranger), [["orders", 0, ErrorCode.UNKNOWN_MEMBER_ID]]);
  const f = rows(await fetch(5, "g-member", [["orders", [0]]]));
  assert.deepEqual(f[0]?.slice(0, 5), ["orders", 0, 3n, 0, "m"], "refused commits change nothing");
});

test("committed offsets survive a restart; a deleted topic's offsets are dropped", async () => {
  await createTopic(b, "doomed", 1);
  await commit(8, "g-restart", [
    { topic: "orders", partition: 1, offset: 77n, epoch: 3, metadata: "kept" },
    { topic: "doomed", partition: 0, offset: 5n },
  ]);
  await b.restart();
  await b.broker.groups.ready;
  const f = rows(await fetch(5, "g-restart", [["orders", [1]]]));
  assert.deepEqual(f, [["orders", 1, 77n, 3, "kept", ErrorCode.NONE]]);

  const del = await b.client.send(
    DeleteTopicsApi,
    4,
    createDeleteTopicsRequest({ topicNames: ["doomed"] }),
  );
  assert.equal(del.responses[0]?.errorCode, ErrorCode.NONE);
  const all = rows(await fetch(7, "g-restart", null));
  assert.deepEqual(
    all.map(([t, p, o]) => [t, p, o]),
    [["orders", 1, 77n]],
  );
});
