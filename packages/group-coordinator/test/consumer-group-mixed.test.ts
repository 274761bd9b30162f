import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ErrorCode } from "@logbook/protocol";
import { silentLogger } from "@logbook/storage";
import type { CoordinatorConfig } from "../src/config.js";
import type { DescribedConsumerMember } from "../src/consumer-api.js";
import type { JoinGroupInput, JoinGroupResult } from "../src/coordinator-api.js";
import { readAssignment, writeAssignment } from "../src/embedded-consumer-protocol.js";
import { GroupCoordinator } from "../src/group-coordinator.js";
import { MemoryRecordLog } from "../src/record-log.js";
import { flat, hb, next, settle, TestTopics, writeSubscription } from "./consumer-helpers.js";
import { FakeClock } from "./fake-clock.js";
import { joinInput, subscription } from "./helpers.js";

/** Classic-protocol members (JoinGroup/SyncGroup/Heartbeat) inside consumer groups. */

async function open(
  log = new MemoryRecordLog(),
  config: Partial<CoordinatorConfig> = {},
  clock = new FakeClock(),
) {
  const topics = new TestTopics();
  topics.set("t", 4);
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

type C = GroupCoordinator;

async function classicJoin(c: C, overrides: Partial<JoinGroupInput> = {}) {
  return c.join(joinInput({ requireKnownMemberId: true, ...overrides }));
}

/** The partitions of t a classic member's SyncGroup hands out. */
async function classicSync(c: C, j: JoinGroupResult): Promise<number[]> {
  const s = await c.sync({
    groupId: "g",
    generationId: j.generationId,
    memberId: j.memberId,
    groupInstanceId: null,
    protocolType: "consumer",
    protocolName: j.protocolName,
    assignments: [],
  });
  assert.equal(s.errorCode, ErrorCode.NONE);
  const a = readAssignment(s.assignment) ?? [];
  return a.flatMap((t) => t.partitions).sort();
}

function beat(c: C, j: JoinGroupResult) {
  return c.heartbeat({
    groupId: "g",
    generationId: j.generationId,
    memberId: j.memberId,
    groupInstanceId: null,
  });
}

/** A consumer member "a" owning all of t, then a classic member joined beside it. */
async function mixed(c: C) {
  const a = await settle(c, "a", await c.consumerHeartbeat(hb({ memberId: "a" })));
  const first = await classicJoin(c);
  assert.equal(first.errorCode, ErrorCode.MEMBER_ID_REQUIRED);
  assert.notEqual(first.memberId, "");
  const j = await classicJoin(c, { memberId: first.memberId });
  return { a, j };
}

describe("classic members in a consumer group", () => {
  it("join with a member id, get an epoch at once, and their partitions once released", async () => {
    const { c } = await open();
    const { a, j } = await mixed(c);
    assert.equal(j.errorCode, ErrorCode.NONE);
    assert.equal(j.generationId, a.memberEpoch + 1);
    assert.equal(j.protocolType, "consumer");
    assert.equal(j.protocolName, "range");
    assert.equal(j.leader, "");
    assert.deepEqual(j.members, []);
    // a still owns everything: the classic member waits with nothing.
    assert.deepEqual(await classicSync(c, j), []);
    assert.equal((await beat(c, j)).errorCode, ErrorCode.NONE);
    // a revokes half; the freed partitions make the classic member rejoin.
    const after = await settle(c, "a", await c.consumerHeartbeat(next("a", a.memberEpoch, null)));
    assert.equal(flat(after.assignment).length, 2);
    assert.equal((await beat(c, j)).errorCode, ErrorCode.REBALANCE_IN_PROGRESS);
    const again = await classicJoin(c, { memberId: j.memberId });
    assert.equal(again.generationId, j.generationId);
    const mine = await classicSync(c, again);
    assert.equal(mine.length, 2);
    const theirs = flat(after.assignment).map((k) => Number(k.split(":")[1]));
    assert.deepEqual([...mine, ...theirs].sort(), [0, 1, 2, 3], "no partition owned twice");
    assert.equal((await beat(c, again)).errorCode, ErrorCode.NONE);
    const [d] = await c.consumerGroupDescribe(["g"]);
    assert.equal(d?.groupState, "Stable");
    assert.deepEqual(d?.members.map((m) => m.memberType).sort(), ["classic", "consumer"]);
  });

  it("answer ILLEGAL_GENERATION, UNKNOWN_MEMBER_ID and INCONSISTENT_GROUP_PROTOCOL as Kafka", async () => {
    const { c } = await open();
    const { a, j } = await mixed(c);
    const hbCode = async (o: { generationId?: number; memberId?: string }) =>
      (
        await c.heartbeat({
          groupId: "g",
          generationId: o.generationId ?? j.generationId,
          memberId: o.memberId ?? j.memberId,
          groupInstanceId: null,
        })
      ).errorCode;
    assert.equal(await hbCode({ generationId: 99 }), ErrorCode.ILLEGAL_GENERATION);
    assert.equal(await hbCode({ memberId: "nobody" }), ErrorCode.UNKNOWN_MEMBER_ID);
    assert.equal(
      await hbCode({ memberId: "a", generationId: a.memberEpoch }),
      ErrorCode.UNKNOWN_MEMBER_ID,
      "a consumer-protocol member is no classic member",
    );
    const other = await classicJoin(c, {
      memberId: "x",
      protocols: [{ name: "roundrobin", metadata: subscription(["t"]) }],
    });
    assert.equal(other.errorCode, ErrorCode.INCONSISTENT_GROUP_PROTOCOL);
    const wrongType = await classicJoin(c, { memberId: "x", protocolType: "connect" });
    assert.equal(wrongType.errorCode, ErrorCode.INCONSISTENT_GROUP_PROTOCOL);
    const badSession = await classicJoin(c, { memberId: "x", sessionTimeoutMs: 1 });
    assert.equal(badSession.errorCode, ErrorCode.INVALID_SESSION_TIMEOUT);
    const s = await c.sync({
      groupId: "g",
      generationId: j.generationId,
      memberId: j.memberId,
      groupInstanceId: null,
      protocolType: "consumer",
      protocolName: "roundrobin",
      assignments: [],
    });
    assert.equal(s.errorCode, ErrorCode.INCONSISTENT_GROUP_PROTOCOL);
  });

  it("commit with the member epoch as generation, with any OffsetCommit version", async () => {
    const { c } = await open();
    const { j } = await mixed(c);
    const code = async (generationId: number) =>
      (
        await c.commitOffsets({
          groupId: "g",
          generationId,
          memberId: j.memberId,
          groupInstanceId: null,
          retentionTimeMs: -1,
          offsets: [{ topic: "t", partition: 0, offset: 3n, leaderEpoch: -1, metadata: null }],
          allowsMemberEpoch: false,
        })
      ).partitions[0]?.errorCode;
    assert.equal(await code(j.generationId), ErrorCode.NONE);
    assert.equal(await code(j.generationId + 1), ErrorCode.ILLEGAL_GENERATION);
    assert.equal(await code(j.generationId - 1), ErrorCode.ILLEGAL_GENERATION);
  });

  it("leave: the consumer member is given everything back; unknown members are named", async () => {
    const { c } = await open();
    const { a, j } = await mixed(c);
    const left = await c.leave({
      groupId: "g",
      members: [
        { memberId: j.memberId, groupInstanceId: null },
        { memberId: "nobody", groupInstanceId: null },
      ],
    });
    assert.equal(left.errorCode, ErrorCode.NONE);
    assert.deepEqual(
      left.members.map((m) => m.errorCode),
      [ErrorCode.NONE, ErrorCode.UNKNOWN_MEMBER_ID],
    );
    const r = await settle(c, "a", await c.consumerHeartbeat(next("a", a.memberEpoch, null)));
    assert.equal(flat(r.assignment).length, 4);
    const [d] = await c.consumerGroupDescribe(["g"]);
    assert.equal(d?.members.length, 1);
  });

  it("a classic member that stops heartbeating is removed after its own session timeout", async () => {
    const { c, clock } = await open();
    const { a, j } = await mixed(c);
    // Keep a alive; the classic member's session (10 s, from its JoinGroup) runs out.
    for (let i = 0; i < 3; i++) {
      await clock.advance(4000);
      await c.consumerHeartbeat(next("a", a.memberEpoch, null));
    }
    assert.equal((await beat(c, j)).errorCode, ErrorCode.UNKNOWN_MEMBER_ID);
  });

  it("a classic member that does not sync, or does not rejoin when told to, is removed", async () => {
    const { c, clock } = await open();
    const { a, j } = await mixed(c);
    // No SyncGroup within the rebalance timeout (30 s), heartbeats or not.
    for (let i = 0; i < 8; i++) {
      await clock.advance(4000);
      await c.consumerHeartbeat(next("a", a.memberEpoch, null));
      await beat(c, j);
    }
    assert.equal((await beat(c, j)).errorCode, ErrorCode.UNKNOWN_MEMBER_ID);

    const k = await classicJoin(c, { memberId: "k" });
    await classicSync(c, k);
    // a lets go of half: k is told to rejoin, keeps heartbeating, never rejoins.
    await settle(c, "a", await c.consumerHeartbeat(next("a", a.memberEpoch, null)));
    assert.equal((await beat(c, k)).errorCode, ErrorCode.REBALANCE_IN_PROGRESS);
    for (let i = 0; i < 8; i++) {
      await clock.advance(4000);
      await c.consumerHeartbeat(next("a", a.memberEpoch, null));
      await beat(c, k);
    }
    assert.equal((await beat(c, k)).errorCode, ErrorCode.UNKNOWN_MEMBER_ID);
  });

  it("a static classic member joining again without its member id takes over its instance", async () => {
    const { c } = await open();
    await settle(c, "a", await c.consumerHeartbeat(hb({ memberId: "a" })));
    const first = await classicJoin(c, { groupInstanceId: "i1" });
    assert.equal(first.errorCode, ErrorCode.NONE, "static members need no second join");
    const second = await classicJoin(c, { groupInstanceId: "i1" });
    assert.equal(second.errorCode, ErrorCode.NONE);
    assert.notEqual(second.memberId, first.memberId);
    const old = await c.heartbeat({
      groupId: "g",
      generationId: first.generationId,
      memberId: first.memberId,
      groupInstanceId: "i1",
    });
    assert.equal(old.errorCode, ErrorCode.FENCED_INSTANCE_ID);
    const [d] = await c.consumerGroupDescribe(["g"]);
    assert.deepEqual(d?.members.map((m) => m.memberId).sort(), ["a", second.memberId].sort());
  });

  it("a restarted coordinator serves the classic member from the replayed records", async () => {
    const log = new MemoryRecordLog();
    const { c } = await open(log);
    const { a, j } = await mixed(c);
    await settle(c, "a", await c.consumerHeartbeat(next("a", a.memberEpoch, null)));
    const again = await classicJoin(c, { memberId: j.memberId });
    const before = await classicSync(c, again);
    await c.close();
    const reopened = await open(log);
    assert.equal((await beat(reopened.c, again)).errorCode, ErrorCode.NONE);
    assert.deepEqual(await classicSync(reopened.c, again), before);
  });
});

/** Two classic members with a leader-made assignment: p0,p1 to the first, p2,p3 to the second. */
async function classicGroup(c: C) {
  const joins = await Promise.all(
    ["c0", "c1"].map((clientId) => c.join(joinInput({ clientId, rebalanceTimeoutMs: 20_000 }))),
  );
  const ids = joins.map((j) => j.memberId).sort();
  const parts = new Map(ids.map((id, i) => [id, [2 * i, 2 * i + 1]]));
  const syncs = await Promise.all(
    joins.map((j) =>
      c.sync({
        groupId: "g",
        generationId: j.generationId,
        memberId: j.memberId,
        groupInstanceId: null,
        protocolType: "consumer",
        protocolName: j.protocolName,
        assignments:
          j.memberId === j.leader
            ? ids.map((memberId) => ({
                memberId,
                assignment: writeAssignment(
                  [{ topic: "t", partitions: parts.get(memberId) ?? [] }],
                  0,
                ),
              }))
            : [],
      }),
    ),
  );
  for (const s of syncs) assert.equal(s.errorCode, ErrorCode.NONE);
  return { joins, parts };
}

describe("online upgrade of a classic group", () => {
  it("a consumer-protocol member converts it; classic members keep their partitions, then rebalance", async () => {
    const { c } = await open();
    const { joins, parts } = await classicGroup(c);
    const generation = joins[0]?.generationId ?? 0;
    const r = await c.consumerHeartbeat(hb({ memberId: "new" }));
    assert.equal(r.errorCode, ErrorCode.NONE);
    assert.equal(r.memberEpoch, generation + 1);
    assert.deepEqual(flat(r.assignment), [], "everything is still owned by the classic members");
    assert.equal((await c.listGroups({})).groups[0]?.groupType, "consumer");
    const [d] = await c.consumerGroupDescribe(["g"]);
    assert.equal(d?.groupEpoch, generation + 1);
    for (const j of joins) {
      const m: DescribedConsumerMember | undefined = d?.members.find(
        (x) => x.memberId === j.memberId,
      );
      assert.deepEqual(m?.assignment[0]?.partitions, parts.get(j.memberId), "kept its partitions");
      assert.equal(m?.memberEpoch, generation);
      // The classic member is asked to rejoin; it revokes what moved and rejoins.
      assert.equal((await beat(c, j)).errorCode, ErrorCode.REBALANCE_IN_PROGRESS);
    }
    const owned = new Map<string, number[]>();
    for (const j of joins) {
      const target = d?.members.find((x) => x.memberId === j.memberId)?.targetAssignment;
      const keep = target?.[0]?.partitions ?? [];
      const again = await classicJoin(c, {
        memberId: j.memberId,
        protocols: [{ name: "range", metadata: subscriptionOwning(keep) }],
      });
      assert.equal(again.errorCode, ErrorCode.NONE);
      owned.set(j.memberId, await classicSync(c, again));
    }
    const n = await settle(c, "new", await c.consumerHeartbeat(next("new", r.memberEpoch, [])));
    const mine = flat(n.assignment).map((k) => Number(k.split(":")[1]));
    assert.ok(mine.length > 0, "the new member got partitions once the classic members let go");
    const all = [...mine, ...[...owned.values()].flat()].sort();
    assert.equal(new Set(all).size, all.length, "no partition owned twice");
  });

  it("replay after the upgrade rebuilds the same consumer group", async () => {
    const log = new MemoryRecordLog();
    const { c } = await open(log);
    await classicGroup(c);
    await c.consumerHeartbeat(hb({ memberId: "new" }));
    const [before] = await c.consumerGroupDescribe(["g"]);
    await c.close();
    const reopened = await open(log);
    const [after] = await reopened.c.consumerGroupDescribe(["g"]);
    assert.deepEqual(after, before);
  });

  it("the migration policy can forbid it", async () => {
    const { c } = await open(new MemoryRecordLog(), { consumerMigrationPolicy: "downgrade" });
    await classicGroup(c);
    const r = await c.consumerHeartbeat(hb({ memberId: "new" }));
    assert.equal(r.errorCode, ErrorCode.GROUP_ID_NOT_FOUND);
    assert.equal((await c.listGroups({})).groups[0]?.groupType, "classic");
  });
});

/** A subscription of t that reports owning these partitions of it. */
function subscriptionOwning(partitions: number[]): Buffer {
  return writeSubscription(["t"], [{ topic: "t", partitions }]);
}

/** A consumer member "a" and a classic member sharing t, both settled. */
async function settledMix(c: C) {
  const { a, j } = await mixed(c);
  const after = await settle(c, "a", await c.consumerHeartbeat(next("a", a.memberEpoch, null)));
  const again = await classicJoin(c, { memberId: j.memberId });
  const mine = await classicSync(c, again);
  return { a: after, j: again, mine };
}

describe("online downgrade to a classic group", () => {
  it("the last consumer-protocol member leaving makes it classic; the members rejoin", async () => {
    const { c } = await open();
    const { a, j, mine } = await settledMix(c);
    const left = await c.consumerHeartbeat(next("a", a.memberEpoch, null, { memberEpoch: -1 }));
    assert.equal(left.errorCode, ErrorCode.NONE);
    const listed = (await c.listGroups({})).groups[0];
    assert.equal(listed?.groupType, "classic");
    assert.equal(listed?.groupState, "PreparingRebalance");
    const [described] = await c.describeGroups(["g"]);
    assert.deepEqual(
      described?.members.map((m) => m.memberId),
      [j.memberId],
    );
    // What the member held went into the classic group's record.
    const stored = c.groups.get("g")?.storedMembers[0];
    assert.ok(mine.length > 0);
    assert.deepEqual(
      (readAssignment(stored?.assignment ?? Buffer.alloc(0)) ?? []).flatMap((t) => t.partitions),
      mine,
    );
    assert.equal((await beat(c, j)).errorCode, ErrorCode.REBALANCE_IN_PROGRESS);
    const rejoined = await c.join(joinInput({ memberId: j.memberId }));
    assert.equal(rejoined.errorCode, ErrorCode.NONE);
    assert.equal(rejoined.leader, j.memberId, "a classic leader again");
    assert.equal(rejoined.generationId, j.generationId + 1);
  });

  it("a consumer member whose session ends downgrades it too; replay agrees", async () => {
    const log = new MemoryRecordLog();
    const clock = new FakeClock();
    const { c } = await open(log, {}, clock);
    const { j } = await settledMix(c);
    for (let i = 0; i < 12; i++) {
      await clock.advance(4000);
      await beat(c, j);
    }
    assert.equal((await c.listGroups({})).groups[0]?.groupType, "classic");
    await c.close();
    const reopened = await open(log);
    const g = (await reopened.c.listGroups({})).groups[0];
    assert.equal(g?.groupType, "classic");
    const [d] = await reopened.c.describeGroups(["g"]);
    assert.deepEqual(
      d?.members.map((m) => m.memberId),
      [j.memberId],
    );
  });

  it("a classic static member taking over the last consumer-protocol member's instance", async () => {
    const log = new MemoryRecordLog();
    const { c } = await open(log);
    const s0 = await settle(
      c,
      "s",
      await c.consumerHeartbeat(hb({ memberId: "s", instanceId: "i1" })),
    );
    const first = await classicJoin(c);
    const j = await classicJoin(c, { memberId: first.memberId });
    const s1 = await settle(
      c,
      "s",
      await c.consumerHeartbeat(next("s", s0.memberEpoch, null, { instanceId: "i1" })),
    );
    const held = flat(s1.assignment).map((k) => Number(k.split(":")[1]));
    const again = await classicJoin(c, { memberId: j.memberId });
    assert.equal((await classicSync(c, again)).length, 2);
    // s leaves keeping its assignment (-2); a classic consumer restarts with its instance id.
    await c.consumerHeartbeat(
      next("s", s1.memberEpoch, null, { memberEpoch: -2, instanceId: "i1" }),
    );
    const t = await classicJoin(c, { groupInstanceId: "i1" });
    assert.equal(t.errorCode, ErrorCode.NONE);
    const listed = (await c.listGroups({})).groups[0];
    assert.equal(listed?.groupType, "classic");
    assert.equal(listed?.groupState, "Stable", "same subscription: no rebalance");
    assert.deepEqual(await classicSync(c, t), held, "it took the instance's partitions");
    await c.close();
    const [d] = await (await open(log)).c.describeGroups(["g"]);
    assert.deepEqual(
      d?.members.map((m) => m.memberId).sort(),
      [j.memberId, t.memberId].sort(),
      "replay agrees",
    );
  });

  it("not when the policy only allows upgrades", async () => {
    const { c } = await open(new MemoryRecordLog(), { consumerMigrationPolicy: "upgrade" });
    const { a, j } = await settledMix(c);
    await c.consumerHeartbeat(next("a", a.memberEpoch, null, { memberEpoch: -1 }));
    assert.equal((await c.listGroups({})).groups[0]?.groupType, "consumer");
    const [d] = await c.consumerGroupDescribe(["g"]);
    assert.deepEqual(
      d?.members.map((m) => m.memberId),
      [j.memberId],
    );
  });
});
