import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ErrorCode } from "@logbook/protocol";
import type { CommitOffsetsInput } from "../src/coordinator-api.js";
import { lag } from "../src/lag.js";
import { formGroup, joinInput, setup, subscription } from "./helpers.js";

function simpleCommit(groupId: string, offsets: CommitOffsetsInput["offsets"]): CommitOffsetsInput {
  return {
    groupId,
    generationId: -1,
    memberId: "",
    groupInstanceId: null,
    retentionTimeMs: -1,
    offsets,
  };
}

describe("offsets", () => {
  it("commit and fetch keep the metadata string and leader epoch", async () => {
    const h = await setup();
    const res = await h.c.commitOffsets(
      simpleCommit("g", [
        { topic: "t", partition: 0, offset: 42n, leaderEpoch: 3, metadata: "hello" },
        { topic: "t", partition: 1, offset: 7n, leaderEpoch: -1, metadata: null },
      ]),
    );
    assert.deepEqual(
      res.partitions.map((p) => p.errorCode),
      [0, 0],
    );
    const f = await h.c.fetchOffsets({
      groupId: "g",
      partitions: [
        { topic: "t", partition: 0 },
        { topic: "t", partition: 1 },
        { topic: "t", partition: 2 },
      ],
      requireStable: true,
    });
    assert.equal(f.errorCode, ErrorCode.NONE);
    assert.deepEqual(
      f.offsets.map((o) => [o.offset, o.leaderEpoch, o.metadata]),
      [
        [42n, 3, "hello"],
        [7n, -1, ""],
        [-1n, -1, ""],
      ],
    );
    const all = await h.c.fetchOffsets({ groupId: "g", partitions: null, requireStable: false });
    assert.deepEqual(
      all.offsets.map((o) => `${o.topic}/${o.partition}`),
      ["t/0", "t/1"],
    );
    const none = await h.c.fetchOffsets({
      groupId: "unknown",
      partitions: null,
      requireStable: false,
    });
    assert.deepEqual(none, { errorCode: ErrorCode.NONE, offsets: [] });
    const [listed] = (await h.c.listGroups({})).groups;
    assert.deepEqual(listed, {
      groupId: "g",
      protocolType: "",
      groupState: "Empty",
      groupType: "classic",
    });
  });

  it("metadata above offset.metadata.max.bytes fails only that partition", async () => {
    const h = await setup();
    const res = await h.c.commitOffsets(
      simpleCommit("g", [
        { topic: "t", partition: 0, offset: 1n, leaderEpoch: -1, metadata: "x".repeat(4097) },
        { topic: "t", partition: 1, offset: 2n, leaderEpoch: -1, metadata: "x".repeat(4096) },
      ]),
    );
    assert.deepEqual(
      res.partitions.map((p) => p.errorCode),
      [ErrorCode.OFFSET_METADATA_TOO_LARGE, 0],
    );
    const f = await h.c.fetchOffsets({ groupId: "g", partitions: null, requireStable: false });
    assert.deepEqual(
      f.offsets.map((o) => o.partition),
      [1],
    );
  });

  it("member commits are checked against generation, membership and state", async () => {
    const h = await setup();
    const joins = await Promise.all([h.c.join(joinInput()), h.c.join(joinInput())]);
    const [a] = joins;
    assert.ok(a);
    const commit = (over: Partial<CommitOffsetsInput>) =>
      h.c
        .commitOffsets({
          groupId: "g",
          generationId: 1,
          memberId: a.memberId,
          groupInstanceId: null,
          retentionTimeMs: -1,
          offsets: [{ topic: "t", partition: 0, offset: 5n, leaderEpoch: 0, metadata: null }],
          ...over,
        })
        .then((r) => r.partitions[0]?.errorCode);
    assert.equal(await commit({}), ErrorCode.REBALANCE_IN_PROGRESS, "CompletingRebalance");
    await Promise.all(
      joins.map((j) =>
        h.c.sync({
          groupId: "g",
          generationId: 1,
          memberId: j.memberId,
          groupInstanceId: null,
          protocolType: null,
          protocolName: null,
          assignments: [],
        }),
      ),
    );
    assert.equal(await commit({ generationId: 0 }), ErrorCode.ILLEGAL_GENERATION);
    assert.equal(await commit({ memberId: "stranger" }), ErrorCode.UNKNOWN_MEMBER_ID);
    assert.equal(
      await commit({ generationId: -1, memberId: "" }),
      ErrorCode.UNKNOWN_MEMBER_ID,
      "no simple commits to a live group",
    );
    assert.equal(await commit({ groupId: "" }), ErrorCode.INVALID_GROUP_ID);
    assert.equal(await commit({ groupId: "nope" }), ErrorCode.ILLEGAL_GENERATION);
    assert.equal(await commit({}), ErrorCode.NONE);
    // PreparingRebalance: members still commit what they consumed before rejoining.
    const late = h.c.join(joinInput());
    assert.equal(await commit({}), ErrorCode.NONE);
    await Promise.all([late, ...joins.map((j) => h.c.join(joinInput({ memberId: j.memberId })))]);
    const f = await h.c.fetchOffsets({ groupId: "g", partitions: null, requireStable: false });
    assert.equal(f.offsets[0]?.offset, 5n);
    assert.equal(f.offsets[0]?.leaderEpoch, 0);
  });

  it("a failed append answers COORDINATOR_NOT_AVAILABLE and changes nothing", async () => {
    const h = await setup();
    h.log.failAppends = new Error("disk full");
    const res = await h.c.commitOffsets(
      simpleCommit("g", [
        { topic: "t", partition: 0, offset: 1n, leaderEpoch: -1, metadata: null },
      ]),
    );
    assert.equal(res.partitions[0]?.errorCode, ErrorCode.COORDINATOR_NOT_AVAILABLE);
    h.log.failAppends = null;
    const f = await h.c.fetchOffsets({ groupId: "g", partitions: null, requireStable: false });
    assert.deepEqual(f.offsets, []);
  });

  it("deleteGroups: GROUP_ID_NOT_FOUND, NON_EMPTY_GROUP, and a deleted Empty group is gone", async () => {
    const h = await setup();
    await h.c.commitOffsets(
      simpleCommit("simple", [
        { topic: "t", partition: 0, offset: 3n, leaderEpoch: -1, metadata: null },
      ]),
    );
    await formGroup(h, 1);
    const res = await h.c.deleteGroups(["simple", "g", "nope", ""]);
    assert.deepEqual(
      res.map((r) => r.errorCode),
      [0, ErrorCode.NON_EMPTY_GROUP, ErrorCode.GROUP_ID_NOT_FOUND, ErrorCode.INVALID_GROUP_ID],
    );
    const f = await h.c.fetchOffsets({
      groupId: "simple",
      partitions: [{ topic: "t", partition: 0 }],
      requireStable: false,
    });
    assert.equal(f.offsets[0]?.offset, -1n);
    assert.deepEqual(
      (await h.c.listGroups({})).groups.map((g) => g.groupId),
      ["g"],
    );
    const [d] = await h.c.describeGroups(["simple"]);
    assert.equal(d?.exists, false);
    assert.equal(d?.groupState, "Dead");
    assert.equal(h.log.records.at(-1)?.value, null, "ends with the group tombstone");
  });

  it("deleteOffsets refuses subscribed topics of a live consumer group", async () => {
    const h = await setup();
    assert.equal((await h.c.deleteOffsets("nope", [])).errorCode, ErrorCode.GROUP_ID_NOT_FOUND);
    const { joins } = await formGroup(h, 1, () => ({
      protocols: [{ name: "range", metadata: subscription(["t"]) }],
    }));
    const [a] = joins;
    assert.ok(a);
    await h.c.commitOffsets({
      groupId: "g",
      generationId: 1,
      memberId: a.memberId,
      groupInstanceId: null,
      retentionTimeMs: -1,
      offsets: [
        { topic: "t", partition: 0, offset: 1n, leaderEpoch: -1, metadata: null },
        { topic: "old", partition: 0, offset: 9n, leaderEpoch: -1, metadata: null },
      ],
    });
    const res = await h.c.deleteOffsets("g", [
      { topic: "t", partition: 0 },
      { topic: "old", partition: 0 },
    ]);
    assert.equal(res.errorCode, ErrorCode.NONE);
    assert.deepEqual(
      res.partitions.map((p) => p.errorCode),
      [ErrorCode.GROUP_SUBSCRIBED_TO_TOPIC, 0],
    );
    const f = await h.c.fetchOffsets({ groupId: "g", partitions: null, requireStable: false });
    assert.deepEqual(
      f.offsets.map((o) => o.topic),
      ["t"],
    );
  });

  it("a deleted topic's offsets are dropped from every group", async () => {
    const h = await setup();
    for (const g of ["a", "b"]) {
      await h.c.commitOffsets(
        simpleCommit(g, [
          { topic: "gone", partition: 0, offset: 1n, leaderEpoch: -1, metadata: null },
          { topic: "kept", partition: 0, offset: 2n, leaderEpoch: -1, metadata: null },
        ]),
      );
    }
    await h.c.onTopicDeleted("gone");
    for (const g of ["a", "b"]) {
      const f = await h.c.fetchOffsets({ groupId: g, partitions: null, requireStable: false });
      assert.deepEqual(
        f.offsets.map((o) => o.topic),
        ["kept"],
      );
    }
  });

  it("offsets of Empty groups expire after offsets.retention.minutes; live groups keep theirs", async () => {
    const retention = 60 * 60 * 1000;
    const h = await setup({
      offsetsRetentionMs: retention,
      offsetsRetentionCheckIntervalMs: 60_000,
    });
    await h.c.commitOffsets(
      simpleCommit("simple", [
        { topic: "t", partition: 0, offset: 1n, leaderEpoch: -1, metadata: null },
      ]),
    );
    const { joins } = await formGroup(h, 1, () => ({ sessionTimeoutMs: 600_000 }));
    const [a] = joins;
    assert.ok(a);
    await h.c.commitOffsets({
      groupId: "g",
      generationId: 1,
      memberId: a.memberId,
      groupInstanceId: null,
      retentionTimeMs: -1,
      offsets: [{ topic: "t", partition: 0, offset: 5n, leaderEpoch: -1, metadata: null }],
    });
    for (let i = 0; i < 8; i++) {
      await h.clock.advance(500_000);
      await h.c.heartbeat({
        groupId: "g",
        generationId: 1,
        memberId: a.memberId,
        groupInstanceId: null,
      });
    }
    const simple = await h.c.fetchOffsets({
      groupId: "simple",
      partitions: null,
      requireStable: false,
    });
    assert.deepEqual(simple.offsets, [], "expired an hour after the commit");
    assert.deepEqual(
      (await h.c.listGroups({})).groups.map((g) => g.groupId),
      ["g"],
    );
    let f = await h.c.fetchOffsets({ groupId: "g", partitions: null, requireStable: false });
    assert.equal(f.offsets.length, 1, "a Stable group's offsets do not expire");
    await h.c.leave({ groupId: "g", members: [{ memberId: a.memberId, groupInstanceId: null }] });
    await h.clock.advance(retention - 120_000);
    f = await h.c.fetchOffsets({ groupId: "g", partitions: null, requireStable: false });
    assert.equal(f.offsets.length, 1, "retention counts from when the group became Empty");
    await h.clock.advance(180_000);
    f = await h.c.fetchOffsets({ groupId: "g", partitions: null, requireStable: false });
    assert.deepEqual(f.offsets, []);
    assert.deepEqual((await h.c.listGroups({})).groups, []);
  });

  it("lag = high watermark - committed offset per partition", async () => {
    const h = await setup();
    await h.c.commitOffsets(
      simpleCommit("g", [
        { topic: "t", partition: 0, offset: 5n, leaderEpoch: -1, metadata: null },
        { topic: "t", partition: 1, offset: 10n, leaderEpoch: -1, metadata: null },
        { topic: "gone", partition: 0, offset: 1n, leaderEpoch: -1, metadata: null },
      ]),
    );
    const ends = new Map([
      ["t/0", { logEndOffset: 15, highWatermark: 12 }],
      ["t/1", { logEndOffset: 10, highWatermark: 10 }],
    ]);
    const endOffsets = async (topic: string, partition: number) =>
      ends.get(`${topic}/${partition}`) ?? null;
    const l = await h.c.lag("g", endOffsets);
    assert.equal(l.groupState, "Empty");
    assert.deepEqual(
      l.partitions.map((p) => [
        p.topic,
        p.partition,
        p.committedOffset,
        p.logEndOffset,
        p.highWatermark,
        p.lag,
      ]),
      [
        ["gone", 0, 1, -1, -1, -1],
        ["t", 0, 5, 15, 12, 7],
        ["t", 1, 10, 10, 10, 0],
      ],
    );
    assert.equal(l.totalLag, 7);
    assert.deepEqual(await lag(h.c, "g", endOffsets), l, "the standalone function agrees");
    const unknown = await lag(h.c, "nope", endOffsets);
    assert.equal(unknown.groupState, null);
    assert.deepEqual(unknown.partitions, []);
  });

  it("listGroups filters by state (case-insensitive) and type; describeGroups shows members", async () => {
    const h = await setup();
    await h.c.commitOffsets(
      simpleCommit("simple", [
        { topic: "t", partition: 0, offset: 1n, leaderEpoch: -1, metadata: null },
      ]),
    );
    await formGroup(h, 2);
    const stable = await h.c.listGroups({ states: ["stable"] });
    assert.deepEqual(
      stable.groups.map((g) => [g.groupId, g.protocolType]),
      [["g", "consumer"]],
    );
    assert.deepEqual(
      (await h.c.listGroups({ states: ["Empty"] })).groups.map((g) => g.groupId),
      ["simple"],
    );
    assert.deepEqual((await h.c.listGroups({ types: ["consumer"] })).groups, []);
    assert.equal((await h.c.listGroups({ types: ["Classic"] })).groups.length, 2);
    const [d] = await h.c.describeGroups(["g"]);
    assert.equal(d?.protocolType, "consumer");
    assert.equal(d?.protocolData, "range");
    assert.equal(d?.members.length, 2);
    for (const m of d?.members ?? []) {
      assert.deepEqual(m.memberMetadata, subscription(["t"]));
      assert.ok(m.memberAssignment.length > 0);
    }
  });
});
