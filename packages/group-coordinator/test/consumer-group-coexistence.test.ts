import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ErrorCode } from "@logbook/protocol";
import { silentLogger } from "@logbook/storage";
import type { CoordinatorConfig } from "../src/config.js";
import type { CommitOffsetsInput } from "../src/coordinator-api.js";
import { GroupCoordinator } from "../src/group-coordinator.js";
import { MemoryRecordLog } from "../src/record-log.js";
import { hb, next, settle, TestTopics } from "./consumer-helpers.js";
import { FakeClock } from "./fake-clock.js";
import { formGroup, joinInput } from "./helpers.js";

async function open(log = new MemoryRecordLog(), config: Partial<CoordinatorConfig> = {}) {
  const topics = new TestTopics();
  topics.set("t", 2);
  const clock = new FakeClock();
  const c = await GroupCoordinator.open({
    log,
    logger: silentLogger,
    clock,
    topics,
    config: { initialRebalanceDelayMs: 0, ...config },
  });
  clock.settle = () => c.idle();
  return { c, log, clock, topics };
}

function commit(overrides: Partial<CommitOffsetsInput>): CommitOffsetsInput {
  return {
    groupId: "g",
    generationId: -1,
    memberId: "",
    groupInstanceId: null,
    retentionTimeMs: -1,
    offsets: [{ topic: "t", partition: 0, offset: 5n, leaderEpoch: -1, metadata: null }],
    allowsMemberEpoch: true,
    ...overrides,
  };
}

describe("consumer groups beside classic groups", () => {
  it("a classic join into a consumer group with members joins it as a classic member", async () => {
    const { c } = await open();
    await c.consumerHeartbeat(hb({ memberId: "a" }));
    const j = await c.join(joinInput());
    assert.equal(j.errorCode, ErrorCode.NONE);
    assert.equal((await c.listGroups({})).groups[0]?.groupType, "consumer");
    const [d] = await c.consumerGroupDescribe(["g"]);
    assert.equal(d?.members.length, 2);
  });

  it("a heartbeat into a classic group whose assignments are not the consumer protocol's is GROUP_ID_NOT_FOUND", async () => {
    const { c, clock } = await open();
    await formGroup({ c, log: new MemoryRecordLog(), clock }, 1);
    const r = await c.consumerHeartbeat(hb());
    assert.equal(r.errorCode, ErrorCode.GROUP_ID_NOT_FOUND);
    assert.equal(
      r.errorMessage,
      "Cannot upgrade classic group g to consumer group because the embedded consumer protocol is malformed.",
    );
    assert.equal((await c.listGroups({})).groups[0]?.groupType, "classic", "nothing written");
  });

  it("a heartbeat into a live classic group goes through Kafka's upgrade checks in order", async () => {
    const refusal = async (
      config: Partial<CoordinatorConfig>,
      members: number,
      protocolType = "consumer",
    ) => {
      const { c, clock, log } = await open(new MemoryRecordLog(), config);
      await formGroup({ c, log, clock }, members, () => ({ protocolType }));
      const r = await c.consumerHeartbeat(hb());
      assert.equal(r.errorCode, ErrorCode.GROUP_ID_NOT_FOUND);
      return r.errorMessage;
    };
    const cannot = (why: string) =>
      `Cannot upgrade classic group g to consumer group because ${why}.`;
    assert.equal(
      await refusal({ consumerMigrationPolicy: "downgrade" }, 1, "other"),
      cannot("online upgrade is disabled"),
      "the policy is checked first",
    );
    assert.equal(
      await refusal({ consumerMigrationPolicy: "disabled" }, 1),
      cannot("online upgrade is disabled"),
    );
    assert.equal(
      await refusal({ consumerMigrationPolicy: "upgrade", consumerMaxGroupSize: 1 }, 2, "other"),
      cannot("the group does not use the consumer embedded protocol"),
    );
    assert.equal(
      await refusal({ consumerMaxGroupSize: 1 }, 2),
      cannot("the group size exceeds the consumer group maximum size"),
    );
    assert.equal(
      await refusal({ consumerMaxGroupSize: 2 }, 2),
      cannot("the embedded consumer protocol is malformed"),
      "then the members' assignments are read",
    );
  });

  it("an empty classic group becomes a consumer group whatever the migration policy", async () => {
    const { c, clock, log } = await open(new MemoryRecordLog(), {
      consumerMigrationPolicy: "disabled",
    });
    const { joins } = await formGroup({ c, log, clock }, 1);
    await c.leave({
      groupId: "g",
      members: [{ memberId: joins[0]?.memberId ?? "", groupInstanceId: null }],
    });
    assert.equal((await c.consumerHeartbeat(hb())).errorCode, ErrorCode.NONE);
  });

  it("an empty classic group with offsets becomes a consumer group and keeps them", async () => {
    const { c, clock, log } = await open();
    const h = { c, log, clock };
    const { joins } = await formGroup(h, 1);
    await c.commitOffsets(
      commit({ generationId: joins[0]?.generationId ?? 0, memberId: joins[0]?.memberId ?? "" }),
    );
    await c.leave({
      groupId: "g",
      members: [{ memberId: joins[0]?.memberId ?? "", groupInstanceId: null }],
    });
    const r = await c.consumerHeartbeat(hb());
    assert.equal(r.errorCode, ErrorCode.NONE);
    const f = await c.fetchOffsets({ groupId: "g", partitions: null, requireStable: false });
    assert.deepEqual(
      f.offsets.map((o) => o.offset),
      [5n],
    );
    const listed = await c.listGroups({});
    assert.deepEqual(listed.groups, [
      { groupId: "g", protocolType: "consumer", groupState: "Stable", groupType: "consumer" },
    ]);
    // And back: once empty, a classic join turns it into a classic group again.
    await c.consumerHeartbeat(next("m1", r.memberEpoch, null, { memberEpoch: -1 }));
    const j = await c.join(joinInput());
    assert.equal(j.errorCode, ErrorCode.NONE);
    assert.equal((await c.listGroups({})).groups[0]?.groupType, "classic");
  });

  it("ListGroups filters consumer groups by type and state; DescribeGroups reads them as Dead", async () => {
    const { c } = await open();
    await c.consumerHeartbeat(hb({ groupId: "cg" }));
    await c.commitOffsets(commit({ groupId: "classic" }));
    const all = await c.listGroups({ types: ["CONSUMER"] });
    assert.deepEqual(
      all.groups.map((g) => g.groupId),
      ["cg"],
    );
    assert.deepEqual((await c.listGroups({ states: ["stable"] })).groups.length, 1);
    assert.deepEqual((await c.listGroups({ states: ["assigning"] })).groups.length, 0);
    const [d] = await c.describeGroups(["cg"]);
    assert.equal(d?.groupState, "Dead");
    assert.equal(d?.exists, false);
    const lag = await c.lag("cg", async () => ({ logEndOffset: 9, highWatermark: 9 }));
    assert.equal(lag.groupState, "Stable", "lag reads a consumer group's own state");
  });

  it("OffsetCommit and OffsetFetch check the member and its epoch", async () => {
    const { c } = await open();
    const a = await c.consumerHeartbeat(hb({ memberId: "a" }));
    const code = async (o: Partial<CommitOffsetsInput>) =>
      (await c.commitOffsets(commit(o))).partitions[0]?.errorCode;
    assert.equal(await code({ memberId: "a", generationId: a.memberEpoch }), ErrorCode.NONE);
    assert.equal(await code({ memberId: "a", generationId: 7 }), ErrorCode.STALE_MEMBER_EPOCH);
    assert.equal(await code({ memberId: "a", generationId: 0 }), ErrorCode.STALE_MEMBER_EPOCH);
    assert.equal(await code({ memberId: "x", generationId: 1 }), ErrorCode.UNKNOWN_MEMBER_ID);
    assert.equal(
      await code({}),
      ErrorCode.UNKNOWN_MEMBER_ID,
      "no member-less commits while it has members",
    );
    assert.equal(
      await code({ memberId: "a", generationId: 1, allowsMemberEpoch: false }),
      ErrorCode.UNSUPPORTED_VERSION,
    );
    const fetch = (member: { memberId: string | null; memberEpoch: number }) =>
      c.fetchOffsets({ groupId: "g", partitions: null, requireStable: false, member });
    assert.equal((await fetch({ memberId: "a", memberEpoch: 1 })).errorCode, ErrorCode.NONE);
    assert.equal(
      (await fetch({ memberId: "a", memberEpoch: 0 })).errorCode,
      ErrorCode.STALE_MEMBER_EPOCH,
    );
    assert.equal(
      (await fetch({ memberId: "b", memberEpoch: 1 })).errorCode,
      ErrorCode.UNKNOWN_MEMBER_ID,
    );
    assert.equal((await fetch({ memberId: null, memberEpoch: -1 })).errorCode, ErrorCode.NONE);
  });

  it("TxnOffsetCommit checks a consumer group member and its epoch", async () => {
    const { c } = await open();
    const a = await c.consumerHeartbeat(hb({ memberId: "a" }));
    const txn = async (memberId: string, generationId: number) =>
      (
        await c.commitTxnOffsets({
          groupId: "g",
          transactionalId: "tx",
          producerId: 7n,
          producerEpoch: 0,
          generationId,
          memberId,
          groupInstanceId: null,
          offsets: [{ topic: "t", partition: 0, offset: 3n, leaderEpoch: -1, metadata: null }],
        })
      ).partitions[0]?.errorCode;
    assert.equal(await txn("a", a.memberEpoch), ErrorCode.NONE);
    assert.equal(await txn("a", a.memberEpoch + 1), ErrorCode.ILLEGAL_GENERATION);
    assert.equal(await txn("b", a.memberEpoch), ErrorCode.UNKNOWN_MEMBER_ID);
  });

  it("an older member epoch commits only partitions held since then (KIP-1251)", async () => {
    const { c, topics } = await open();
    const a = await c.consumerHeartbeat(hb({ memberId: "a" }));
    topics.set("t", 3);
    const a2 = await c.consumerHeartbeat(next("a", a.memberEpoch, a.assignment));
    assert.equal(a2.memberEpoch, 2);
    const codes = async (epoch: number) =>
      (
        await c.commitOffsets(
          commit({
            memberId: "a",
            generationId: epoch,
            offsets: [0, 2].map((partition) => ({
              topic: "t",
              partition,
              offset: 1n,
              leaderEpoch: -1,
              metadata: null,
            })),
          }),
        )
      ).partitions.map((p) => p.errorCode);
    assert.deepEqual(await codes(1), [ErrorCode.NONE, ErrorCode.STALE_MEMBER_EPOCH]);
    assert.deepEqual(await codes(2), [ErrorCode.NONE, ErrorCode.NONE]);
    assert.deepEqual(await codes(3), [ErrorCode.STALE_MEMBER_EPOCH, ErrorCode.STALE_MEMBER_EPOCH]);
  });

  it("a consumer group's offsets expire only once it has no members; then the group goes", async () => {
    const topics = new TestTopics();
    topics.set("t", 2);
    const clock = new FakeClock();
    const c = await GroupCoordinator.open({
      log: new MemoryRecordLog(),
      logger: silentLogger,
      clock,
      topics,
      config: {
        offsetsRetentionMs: 1000,
        offsetsRetentionCheckIntervalMs: 1e9,
        consumerSessionTimeoutMs: 1e8,
      },
    });
    clock.settle = () => c.idle();
    const a = await c.consumerHeartbeat(hb({ memberId: "a" }));
    await c.commitOffsets(commit({ memberId: "a", generationId: a.memberEpoch }));
    await clock.advance(2000);
    assert.equal(await c.expireOffsets(), 0, "kept while the group has members");
    await c.consumerHeartbeat(next("a", a.memberEpoch, null, { memberEpoch: -1 }));
    assert.ok((await c.expireOffsets()) > 0);
    assert.equal(c.groups.size, 0, "the empty consumer group went with its last offset");
    await c.close();
  });

  it("DeleteGroups and OffsetDelete on consumer groups", async () => {
    const { c } = await open();
    const a = await c.consumerHeartbeat(hb({ memberId: "a" }));
    await c.commitOffsets(commit({ memberId: "a", generationId: a.memberEpoch }));
    const del = await c.deleteOffsets("g", [{ topic: "t", partition: 0 }]);
    assert.equal(del.partitions[0]?.errorCode, ErrorCode.GROUP_SUBSCRIBED_TO_TOPIC);
    assert.equal((await c.deleteGroups(["g"]))[0]?.errorCode, ErrorCode.NON_EMPTY_GROUP);
    await c.consumerHeartbeat(next("a", a.memberEpoch, null, { memberEpoch: -1 }));
    assert.equal(
      (await c.deleteOffsets("g", [{ topic: "t", partition: 0 }])).partitions[0]?.errorCode,
      ErrorCode.NONE,
    );
    assert.equal((await c.deleteGroups(["g"]))[0]?.errorCode, ErrorCode.NONE);
    assert.equal(c.groups.size, 0);
    const [d] = await c.consumerGroupDescribe(["g"]);
    assert.equal(d?.errorCode, ErrorCode.GROUP_ID_NOT_FOUND);
  });
});

describe("consumer groups by replay", () => {
  it("a restarted coordinator continues the group: same epochs, same assignments", async () => {
    const log = new MemoryRecordLog();
    const first = await open(log);
    const a0 = await first.c.consumerHeartbeat(hb({ memberId: "a" }));
    const b0 = await first.c.consumerHeartbeat(hb({ memberId: "b", instanceId: "ib" }));
    const a = await settle(first.c, "a", a0);
    const b = await settle(first.c, "b", b0);
    const before = await first.c.consumerGroupDescribe(["g"]);
    await first.c.close();

    const second = await open(log);
    assert.deepEqual(await second.c.consumerGroupDescribe(["g"]), before);
    // Both go on heartbeating with their epochs: no rebalance, nothing moves.
    const a2 = await second.c.consumerHeartbeat(next("a", a.memberEpoch, a.assignment));
    const b2 = await second.c.consumerHeartbeat(
      next("b", b.memberEpoch, b.assignment, { instanceId: "ib" }),
    );
    assert.equal(a2.errorCode, ErrorCode.NONE, JSON.stringify([a2, a]));
    assert.equal(a2.memberEpoch, a.memberEpoch);
    assert.equal(b2.memberEpoch, b.memberEpoch);
    const [after] = await second.c.consumerGroupDescribe(["g"]);
    assert.equal(after?.groupEpoch, before[0]?.groupEpoch);
    assert.equal(after?.groupState, "Stable");
    await second.c.close();
  });

  it("a restarted coordinator still ends sessions of members that went away", async () => {
    const log = new MemoryRecordLog();
    const first = await open(log);
    await first.c.consumerHeartbeat(hb({ memberId: "a" }));
    await first.c.close();
    const second = await open(log);
    await second.clock.advance(45_001);
    const [d] = await second.c.consumerGroupDescribe(["g"]);
    assert.equal(d?.groupState, "Empty");
  });
});
