import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ErrorCode } from "@logbook/protocol";
import { silentLogger } from "@logbook/storage";
import { GroupCoordinator } from "../src/group-coordinator.js";
import { MemoryRecordLog } from "../src/record-log.js";
import { flat, hb, next, settle, TestTopics } from "./consumer-helpers.js";
import { FakeClock } from "./fake-clock.js";

async function open(topics: TestTopics, log = new MemoryRecordLog(), clock = new FakeClock()) {
  const c = await GroupCoordinator.open({
    log,
    logger: silentLogger,
    clock,
    topics,
    config: { consumerSessionTimeoutMs: 45_000, consumerHeartbeatIntervalMs: 5000 },
  });
  clock.settle = () => c.idle();
  return { c, log, clock };
}

function topics(partitions = 4): TestTopics {
  const t = new TestTopics();
  t.set("t", partitions);
  return t;
}

describe("consumer group heartbeat", () => {
  it("a first member joins, gets every partition and epoch 1", async () => {
    const { c } = await open(topics());
    const r = await c.consumerHeartbeat(hb());
    assert.equal(r.errorCode, ErrorCode.NONE);
    assert.equal(r.memberId, "m1");
    assert.equal(r.memberEpoch, 1);
    assert.equal(r.heartbeatIntervalMs, 5000);
    assert.equal(flat(r.assignment).length, 4);
    const [d] = await c.consumerGroupDescribe(["g"]);
    assert.equal(d?.groupState, "Stable");
    assert.equal(d?.groupEpoch, 1);
    assert.equal(d?.assignmentEpoch, 1);
    assert.equal(d?.members[0]?.assignment[0]?.topicName, "t");
  });

  it("an empty regex beside topic names is no regex (librdkafka sends one)", async () => {
    const { c } = await open(topics());
    const r = await c.consumerHeartbeat(hb({ subscribedTopicRegex: "" }));
    assert.equal(r.errorCode, ErrorCode.NONE);
    assert.equal(flat(r.assignment).length, 4);
  });

  it("v0 hands out a member id; v1 requires one", async () => {
    const { c } = await open(topics());
    const r0 = await c.consumerHeartbeat(hb({ version: 0, memberId: "" }));
    assert.equal(r0.errorCode, ErrorCode.NONE);
    assert.equal(r0.memberId?.length, 22);
    const r1 = await c.consumerHeartbeat(hb({ memberId: "" }));
    assert.equal(r1.errorCode, ErrorCode.INVALID_REQUEST);
  });

  it("a second member waits for the first to revoke before it is given partitions", async () => {
    const { c } = await open(topics());
    const a = await c.consumerHeartbeat(hb({ memberId: "a" }));
    const b = await c.consumerHeartbeat(hb({ memberId: "b" }));
    assert.equal(b.memberEpoch, 2);
    assert.deepEqual(flat(b.assignment), [], "a still owns everything");
    const [d1] = await c.consumerGroupDescribe(["g"]);
    assert.equal(d1?.groupState, "Reconciling");
    // a is told to give up two partitions, keeping its epoch until it does.
    const a2 = await c.consumerHeartbeat(next("a", a.memberEpoch, a.assignment));
    assert.equal(a2.memberEpoch, 1);
    assert.equal(flat(a2.assignment).length, 2);
    const a3 = await c.consumerHeartbeat(next("a", 1, a2.assignment));
    assert.equal(a3.memberEpoch, 2, "revocation acknowledged: a reaches the group epoch");
    const b2 = await c.consumerHeartbeat(next("b", 2, []));
    assert.equal(flat(b2.assignment).length, 2);
    const both = [...flat(a2.assignment), ...flat(b2.assignment)];
    assert.equal(new Set(both).size, 4, "no partition twice, none lost");
    const [d2] = await c.consumerGroupDescribe(["g"]);
    assert.equal(d2?.groupState, "Stable");
  });

  it("a member still taking its first partitions (it reports none yet) revokes before another gets them", async () => {
    // The Java client reports what it has reconciled: while it is still taking epoch 1's
    // partitions it reports none, and could hold them a moment later. Regression: these
    // partitions were handed to the second member at once (seen as two owners in Java).
    const { c } = await open(topics());
    const a = await c.consumerHeartbeat(hb({ memberId: "a" }));
    assert.equal(flat(a.assignment).length, 4);
    const b = await c.consumerHeartbeat(hb({ memberId: "b" }));
    assert.deepEqual(flat(b.assignment), []);
    const a2 = await c.consumerHeartbeat(next("a", 1, []));
    assert.equal(a2.memberEpoch, 1, "a must first confirm the revocation");
    const b2 = await c.consumerHeartbeat(next("b", b.memberEpoch, []));
    assert.deepEqual(flat(b2.assignment), [], "b waits while a may still hold them");
    const a3 = await c.consumerHeartbeat(next("a", 1, a2.assignment));
    assert.equal(a3.memberEpoch, 2);
    const b3 = await c.consumerHeartbeat(next("b", b.memberEpoch, []));
    assert.equal(flat(b3.assignment).length, 2);
  });

  it("fences member epochs as Kafka does", async () => {
    const { c } = await open(topics());
    const a = await c.consumerHeartbeat(hb({ memberId: "a" }));
    const ahead = await c.consumerHeartbeat(next("a", a.memberEpoch + 1, null));
    assert.equal(ahead.errorCode, ErrorCode.FENCED_MEMBER_EPOCH);
    await c.consumerHeartbeat(hb({ memberId: "b" }));
    const a2 = await settle(c, "a", a);
    assert.equal(a2.memberEpoch, 2);
    // The previous epoch with a subset of the partitions is a lost response: accepted.
    const lost = await c.consumerHeartbeat(next("a", 1, a2.assignment));
    assert.equal(lost.errorCode, ErrorCode.NONE);
    const stale = await c.consumerHeartbeat(next("a", 1, null));
    assert.equal(stale.errorCode, ErrorCode.FENCED_MEMBER_EPOCH);
    const unknown = await c.consumerHeartbeat(next("zz", 1, null));
    assert.equal(unknown.errorCode, ErrorCode.UNKNOWN_MEMBER_ID);
    const noGroup = await c.consumerHeartbeat(next("a", 1, null, { groupId: "other" }));
    assert.equal(noGroup.errorCode, ErrorCode.GROUP_ID_NOT_FOUND);
  });

  it("validates requests: epoch, rebalance timeout, assignor, regex syntax", async () => {
    const { c } = await open(topics());
    const cases: [Parameters<typeof hb>[0], number][] = [
      [{ groupId: "" }, ErrorCode.INVALID_REQUEST],
      [{ memberEpoch: -3 }, ErrorCode.INVALID_REQUEST],
      [{ rebalanceTimeoutMs: -1 }, ErrorCode.INVALID_REQUEST],
      [{ subscribedTopicNames: null }, ErrorCode.INVALID_REQUEST],
      [{ ownedTopicPartitions: null }, ErrorCode.INVALID_REQUEST],
      [{ serverAssignor: "sticky" }, ErrorCode.UNSUPPORTED_ASSIGNOR],
      [{ subscribedTopicRegex: "t.(" }, ErrorCode.INVALID_REGULAR_EXPRESSION],
      [{ memberEpoch: -2, instanceId: null }, ErrorCode.INVALID_REQUEST],
    ];
    for (const [input, code] of cases) {
      const r = await c.consumerHeartbeat(hb(input));
      assert.equal(r.errorCode, code, JSON.stringify(input));
      assert.equal(r.memberId, null);
    }
  });

  it("a leaving member's partitions go to the others", async () => {
    const { c } = await open(topics());
    const a = await c.consumerHeartbeat(hb({ memberId: "a" }));
    const b0 = await c.consumerHeartbeat(hb({ memberId: "b" }));
    await settle(c, "a", a);
    await settle(c, "b", b0);
    const left = await c.consumerHeartbeat(next("a", 2, null, { memberEpoch: -1 }));
    assert.equal(left.memberEpoch, -1);
    const b = await settle(c, "b", { ...b0, memberEpoch: 2 });
    assert.equal(b.memberEpoch, 3);
    assert.equal(flat(b.assignment).length, 4);
  });

  it("a member whose session ends is removed", async () => {
    const { c, clock } = await open(topics());
    await c.consumerHeartbeat(hb({ memberId: "a" }));
    await clock.advance(45_001);
    const [d] = await c.consumerGroupDescribe(["g"]);
    assert.equal(d?.groupState, "Empty");
    assert.equal(d?.groupEpoch, 2);
  });

  it("a member that does not revoke within its rebalance timeout is removed", async () => {
    const { c, clock } = await open(topics());
    const a = await c.consumerHeartbeat(hb({ memberId: "a", rebalanceTimeoutMs: 1000 }));
    await c.consumerHeartbeat(hb({ memberId: "b" }));
    await c.consumerHeartbeat(next("a", a.memberEpoch, a.assignment));
    await clock.advance(1001);
    const [d] = await c.consumerGroupDescribe(["g"]);
    assert.deepEqual(
      d?.members.map((m) => m.memberId),
      ["b"],
    );
  });

  it("a static member that leaves with -2 keeps its partitions and gets them back", async () => {
    const { c } = await open(topics());
    const s = await c.consumerHeartbeat(hb({ memberId: "s1", instanceId: "i" }));
    const taken = await c.consumerHeartbeat(hb({ memberId: "s2", instanceId: "i" }));
    assert.equal(taken.errorCode, ErrorCode.UNRELEASED_INSTANCE_ID);
    const left = await c.consumerHeartbeat(
      next("s1", 1, null, { memberEpoch: -2, instanceId: "i" }),
    );
    assert.equal(left.memberEpoch, -2);
    const back = await c.consumerHeartbeat(hb({ memberId: "s2", instanceId: "i" }));
    assert.equal(back.errorCode, ErrorCode.NONE);
    assert.equal(back.memberEpoch, 1, "no rebalance: the group epoch did not move");
    assert.deepEqual(flat(back.assignment), flat(s.assignment));
    const old = await c.consumerHeartbeat(next("s1", 1, null, { instanceId: "i" }));
    assert.equal(old.errorCode, ErrorCode.FENCED_INSTANCE_ID);
  });

  it("partition growth, new and deleted topics move the target assignment", async () => {
    const t = topics(2);
    const { c } = await open(t);
    const a = await c.consumerHeartbeat(hb({ memberId: "a", subscribedTopicNames: ["t", "u"] }));
    assert.equal(flat(a.assignment).length, 2);
    t.set("t", 3);
    t.set("u", 1);
    const a2 = await c.consumerHeartbeat(next("a", 1, a.assignment));
    assert.equal(a2.memberEpoch, 2);
    assert.equal(flat(a2.assignment).length, 4);
    // A deleted topic's partition is revoked first, then the epoch moves.
    t.delete("u");
    const a3 = await c.consumerHeartbeat(next("a", 2, a2.assignment));
    assert.equal(a3.memberEpoch, 2);
    assert.equal(flat(a3.assignment).length, 3);
    const a4 = await c.consumerHeartbeat(next("a", 2, a3.assignment));
    assert.equal(a4.memberEpoch, 3);
  });

  it("the group is bounded by group.consumer.max.size", async () => {
    const c = await GroupCoordinator.open({
      log: new MemoryRecordLog(),
      logger: silentLogger,
      topics: topics(),
      config: { consumerMaxGroupSize: 1 },
    });
    await c.consumerHeartbeat(hb({ memberId: "a" }));
    const r = await c.consumerHeartbeat(hb({ memberId: "b" }));
    assert.equal(r.errorCode, ErrorCode.GROUP_MAX_SIZE_REACHED);
    await c.close();
  });
});
