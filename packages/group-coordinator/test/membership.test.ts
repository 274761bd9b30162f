import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ErrorCode } from "@logbook/protocol";
import {
  assignmentFor,
  formGroup,
  isPending,
  joinInput,
  setup,
  subscription,
  syncAll,
} from "./helpers.js";

describe("joining", () => {
  it("MEMBER_ID_REQUIRED hands out an id the member must rejoin with (KIP-394)", async () => {
    const h = await setup();
    const first = await h.c.join(joinInput({ requireKnownMemberId: true }));
    assert.equal(first.errorCode, ErrorCode.MEMBER_ID_REQUIRED);
    assert.match(first.memberId, /^client-/);
    assert.equal(first.generationId, -1);
    const unknown = await h.c.join(joinInput({ memberId: "made-up", requireKnownMemberId: true }));
    assert.equal(unknown.errorCode, ErrorCode.UNKNOWN_MEMBER_ID);
    const second = await h.c.join(
      joinInput({ memberId: first.memberId, requireKnownMemberId: true }),
    );
    assert.equal(second.errorCode, ErrorCode.NONE);
    assert.equal(second.memberId, first.memberId);
    assert.equal(second.leader, first.memberId);
    assert.equal(second.generationId, 1);
    assert.equal(second.protocolName, "range");
  });

  it("a pending member id expires after the session timeout", async () => {
    const h = await setup();
    const first = await h.c.join(joinInput({ requireKnownMemberId: true }));
    await h.clock.advance(10_001);
    const late = await h.c.join(
      joinInput({ memberId: first.memberId, requireKnownMemberId: true }),
    );
    assert.equal(late.errorCode, ErrorCode.UNKNOWN_MEMBER_ID);
  });

  for (let n = 1; n <= 4; n++) {
    it(`${n} member(s) join and sync: one leader with everyone's metadata, each gets its assignment`, async () => {
      const h = await setup();
      const { joins, syncs, leader } = await formGroup(h, n, (i) => ({
        protocols: [{ name: "range", metadata: subscription(["t"], `m${i}`) }],
      }));
      assert.equal(new Set(joins.map((j) => j.memberId)).size, n);
      for (const j of joins) {
        assert.equal(j.generationId, 1);
        assert.equal(j.leader, leader);
        assert.equal(j.protocolType, "consumer");
        if (j.memberId === leader) {
          assert.equal(j.members.length, n);
          const metas = j.members.map((m) => m.metadata.toString("hex")).sort();
          const expected = Array.from({ length: n }, (_, i) =>
            subscription(["t"], `m${i}`).toString("hex"),
          ).sort();
          assert.deepEqual(metas, expected);
        } else {
          assert.deepEqual(j.members, []);
        }
      }
      joins.forEach((j, i) => {
        assert.equal(syncs[i]?.errorCode, ErrorCode.NONE);
        assert.deepEqual(syncs[i]?.assignment, assignmentFor(j.memberId));
      });
      const [d] = await h.c.describeGroups(["g"]);
      assert.equal(d?.groupState, "Stable");
      assert.equal(d?.members.length, n);
    });
  }

  it("a follower's sync waits for the leader's; members the leader left out get empty bytes", async () => {
    const h = await setup();
    const joins = await Promise.all([h.c.join(joinInput()), h.c.join(joinInput())]);
    const leader = joins.find((j) => j.memberId === j.leader);
    const follower = joins.find((j) => j.memberId !== j.leader);
    assert.ok(leader && follower);
    const fSync = h.c.sync({
      groupId: "g",
      generationId: 1,
      memberId: follower.memberId,
      groupInstanceId: null,
      protocolType: "consumer",
      protocolName: "range",
      assignments: [],
    });
    assert.equal(await isPending(h.c, fSync), true);
    const lSync = await h.c.sync({
      groupId: "g",
      generationId: 1,
      memberId: leader.memberId,
      groupInstanceId: null,
      protocolType: "consumer",
      protocolName: "range",
      assignments: [{ memberId: leader.memberId, assignment: Buffer.from("all") }],
    });
    assert.deepEqual(lSync.assignment, Buffer.from("all"));
    const f = await fSync;
    assert.equal(f.errorCode, ErrorCode.NONE);
    assert.equal(f.assignment.length, 0);
    // An empty assignment is a valid membership: the member stays and heartbeats.
    for (let i = 0; i < 4; i++) {
      await h.clock.advance(5000);
      for (const m of [leader, follower]) {
        const hb = await h.c.heartbeat({
          groupId: "g",
          generationId: 1,
          memberId: m.memberId,
          groupInstanceId: null,
        });
        assert.equal(hb.errorCode, ErrorCode.NONE);
      }
    }
  });

  it("chooses the protocol every member supports by votes; rejects members with none in common", async () => {
    const h = await setup();
    const a = { name: "range", metadata: Buffer.from("a") };
    const b = { name: "roundrobin", metadata: Buffer.from("b") };
    const joins = await Promise.all([
      h.c.join(joinInput({ protocols: [a, b] })),
      h.c.join(joinInput({ protocols: [b, a] })),
      h.c.join(joinInput({ protocols: [b] })),
    ]);
    for (const j of joins) assert.equal(j.protocolName, "roundrobin");
    const bad = await h.c.join(
      joinInput({ protocols: [{ name: "sticky", metadata: Buffer.alloc(0) }] }),
    );
    assert.equal(bad.errorCode, ErrorCode.INCONSISTENT_GROUP_PROTOCOL);
    const badType = await h.c.join(joinInput({ protocolType: "connect", protocols: [b] }));
    assert.equal(badType.errorCode, ErrorCode.INCONSISTENT_GROUP_PROTOCOL);
    const noProtocols = await h.c.join(joinInput({ groupId: "other", protocols: [] }));
    assert.equal(noProtocols.errorCode, ErrorCode.INCONSISTENT_GROUP_PROTOCOL);
    const listed = await h.c.listGroups({});
    assert.deepEqual(
      listed.groups.map((g) => g.groupId),
      ["g"],
      "a failed first join leaves no group",
    );
  });

  it("validates group id, session timeout bounds and group.max.size", async () => {
    const h = await setup({ maxGroupSize: 2 });
    assert.equal(
      (await h.c.join(joinInput({ groupId: "" }))).errorCode,
      ErrorCode.INVALID_GROUP_ID,
    );
    assert.equal(
      (await h.c.join(joinInput({ sessionTimeoutMs: 5999 }))).errorCode,
      ErrorCode.INVALID_SESSION_TIMEOUT,
    );
    assert.equal(
      (await h.c.join(joinInput({ sessionTimeoutMs: 1_800_001 }))).errorCode,
      ErrorCode.INVALID_SESSION_TIMEOUT,
    );
    await formGroup(h, 2);
    assert.equal((await h.c.join(joinInput())).errorCode, ErrorCode.GROUP_MAX_SIZE_REACHED);
    assert.equal(
      (await h.c.join(joinInput({ memberId: "x", groupId: "nope" }))).errorCode,
      ErrorCode.UNKNOWN_MEMBER_ID,
    );
  });

  it("group.initial.rebalance.delay.ms waits for more joiners of a new group", async () => {
    const h = await setup({ initialRebalanceDelayMs: 3000 });
    const j1 = h.c.join(joinInput());
    await h.clock.advance(1000);
    const j2 = h.c.join(joinInput());
    await h.clock.advance(2500);
    assert.equal(await isPending(h.c, j1), true, "the delay was extended by the second joiner");
    await h.clock.advance(600);
    const [r1, r2] = await Promise.all([j1, j2]);
    assert.equal(r1.generationId, 1);
    assert.equal(r2.generationId, 1);
    assert.equal(r1.leader, r2.leader);
  });
});

describe("rebalancing", () => {
  it("a late joiner starts a rebalance; heartbeats say REBALANCE_IN_PROGRESS until all rejoin", async () => {
    const h = await setup();
    const { joins } = await formGroup(h, 2);
    const j3 = h.c.join(joinInput({ clientId: "late" }));
    assert.equal(await isPending(h.c, j3), true);
    const [d] = await h.c.describeGroups(["g"]);
    assert.equal(d?.groupState, "PreparingRebalance");
    for (const j of joins) {
      const hb = await h.c.heartbeat({
        groupId: "g",
        generationId: 1,
        memberId: j.memberId,
        groupInstanceId: null,
      });
      assert.equal(hb.errorCode, ErrorCode.REBALANCE_IN_PROGRESS);
    }
    const rejoins = await Promise.all(
      joins.map((j) => h.c.join(joinInput({ memberId: j.memberId }))),
    );
    const r3 = await j3;
    for (const r of [...rejoins, r3]) assert.equal(r.generationId, 2);
    const leader = [...rejoins, r3].find((r) => r.memberId === r.leader);
    assert.equal(leader?.members.length, 3);
    assert.equal(
      joins.some((j) => j.memberId === leader?.memberId),
      true,
      "the leader stays the leader",
    );
  });

  it("the rebalance timeout expels members that did not rejoin and completes with the rest", async () => {
    const h = await setup();
    const { joins } = await formGroup(h, 2, () => ({
      sessionTimeoutMs: 60_000,
      rebalanceTimeoutMs: 20_000,
    }));
    const [m1, m2] = joins;
    assert.ok(m1 && m2);
    const j3 = h.c.join(joinInput({ sessionTimeoutMs: 60_000, rebalanceTimeoutMs: 20_000 }));
    const r1 = h.c.join(
      joinInput({ memberId: m1.memberId, sessionTimeoutMs: 60_000, rebalanceTimeoutMs: 20_000 }),
    );
    await h.clock.advance(19_000);
    assert.equal(await isPending(h.c, r1), true);
    await h.clock.advance(1_001);
    const [a, b] = await Promise.all([r1, j3]);
    assert.equal(a.generationId, 2);
    assert.equal(b.generationId, 2);
    const leader = [a, b].find((r) => r.memberId === r.leader);
    assert.deepEqual(
      leader?.members.map((m) => m.memberId).sort(),
      [a.memberId, b.memberId].sort(),
    );
    const hb = await h.c.heartbeat({
      groupId: "g",
      generationId: 1,
      memberId: m2.memberId,
      groupInstanceId: null,
    });
    assert.equal(hb.errorCode, ErrorCode.UNKNOWN_MEMBER_ID);
  });

  it("a member whose session expires is removed and the others rebalance", async () => {
    const h = await setup();
    const { joins } = await formGroup(h, 2);
    const [m1, m2] = joins;
    assert.ok(m1 && m2);
    for (let i = 0; i < 3; i++) {
      await h.clock.advance(3000);
      const hb = await h.c.heartbeat({
        groupId: "g",
        generationId: 1,
        memberId: m1.memberId,
        groupInstanceId: null,
      });
      assert.equal(hb.errorCode, ErrorCode.NONE);
    }
    await h.clock.advance(1001); // m2 silent for 10 001 ms
    const hb = await h.c.heartbeat({
      groupId: "g",
      generationId: 1,
      memberId: m1.memberId,
      groupInstanceId: null,
    });
    assert.equal(hb.errorCode, ErrorCode.REBALANCE_IN_PROGRESS);
    const r = await h.c.join(joinInput({ memberId: m1.memberId }));
    assert.equal(r.generationId, 2);
    assert.equal(r.leader, m1.memberId);
    assert.deepEqual(
      r.members.map((m) => m.memberId),
      [m1.memberId],
    );
    const gone = await h.c.heartbeat({
      groupId: "g",
      generationId: 2,
      memberId: m2.memberId,
      groupInstanceId: null,
    });
    assert.equal(gone.errorCode, ErrorCode.UNKNOWN_MEMBER_ID);
  });

  it("the last member expiring leaves the group Empty with a bumped generation", async () => {
    const h = await setup();
    await formGroup(h, 1);
    await h.clock.advance(10_001);
    const [d] = await h.c.describeGroups(["g"]);
    assert.equal(d?.groupState, "Empty");
    assert.equal(d?.members.length, 0);
    const j = await h.c.join(joinInput());
    assert.equal(j.generationId, 3);
  });

  it("heartbeat errors per state", async () => {
    const h = await setup();
    const hb = (memberId: string, generationId: number, groupId = "g") =>
      h.c
        .heartbeat({ groupId, generationId, memberId, groupInstanceId: null })
        .then((r) => r.errorCode);
    assert.equal(await hb("x", 0, "nope"), ErrorCode.UNKNOWN_MEMBER_ID);
    const joins = await Promise.all([h.c.join(joinInput()), h.c.join(joinInput())]);
    const [a] = joins;
    assert.ok(a);
    // CompletingRebalance: the member has its join response and may heartbeat.
    assert.equal(await hb(a.memberId, 1), ErrorCode.NONE);
    assert.equal(await hb(a.memberId, 0), ErrorCode.ILLEGAL_GENERATION);
    assert.equal(await hb("stranger", 1), ErrorCode.UNKNOWN_MEMBER_ID);
    await syncAll(h, joins);
    assert.equal(await hb(a.memberId, 1), ErrorCode.NONE);
    const late = h.c.join(joinInput());
    assert.equal(await hb(a.memberId, 1), ErrorCode.REBALANCE_IN_PROGRESS);
    await Promise.all([late, ...joins.map((j) => h.c.join(joinInput({ memberId: j.memberId })))]);
    assert.equal(await hb(a.memberId, 1), ErrorCode.ILLEGAL_GENERATION);
    assert.equal(await hb(a.memberId, 2), ErrorCode.NONE);
  });

  it("sync errors: unknown member, wrong generation, protocol mismatch, rebalance in progress", async () => {
    const h = await setup();
    const { joins } = await formGroup(h, 1);
    const [a] = joins;
    assert.ok(a);
    const sync = (over: Partial<Parameters<typeof h.c.sync>[0]>) =>
      h.c
        .sync({
          groupId: "g",
          generationId: 1,
          memberId: a.memberId,
          groupInstanceId: null,
          protocolType: null,
          protocolName: null,
          assignments: [],
          ...over,
        })
        .then((r) => r.errorCode);
    assert.equal(await sync({ memberId: "x" }), ErrorCode.UNKNOWN_MEMBER_ID);
    assert.equal(await sync({ generationId: 7 }), ErrorCode.ILLEGAL_GENERATION);
    assert.equal(await sync({ protocolName: "roundrobin" }), ErrorCode.INCONSISTENT_GROUP_PROTOCOL);
    assert.equal(await sync({}), ErrorCode.NONE);
    const late = h.c.join(joinInput());
    assert.equal(await sync({}), ErrorCode.REBALANCE_IN_PROGRESS);
    await h.c.join(joinInput({ memberId: a.memberId }));
    await late;
  });

  it("a leader leaving mid-sync sends the followers back to rejoin", async () => {
    const h = await setup();
    const joins = await Promise.all([h.c.join(joinInput()), h.c.join(joinInput())]);
    const leader = joins.find((j) => j.memberId === j.leader);
    const follower = joins.find((j) => j.memberId !== j.leader);
    assert.ok(leader && follower);
    const fSync = h.c.sync({
      groupId: "g",
      generationId: 1,
      memberId: follower.memberId,
      groupInstanceId: null,
      protocolType: null,
      protocolName: null,
      assignments: [],
    });
    const left = await h.c.leave({
      groupId: "g",
      members: [{ memberId: leader.memberId, groupInstanceId: null }],
    });
    assert.equal(left.errorCode, ErrorCode.NONE);
    assert.equal(left.members[0]?.errorCode, ErrorCode.NONE);
    assert.equal((await fSync).errorCode, ErrorCode.REBALANCE_IN_PROGRESS);
    const r = await h.c.join(joinInput({ memberId: follower.memberId }));
    assert.equal(r.generationId, 2);
    assert.equal(r.leader, follower.memberId);
  });

  it("leave: batched members with per-member results", async () => {
    const h = await setup();
    const { joins } = await formGroup(h, 3);
    const [a, b] = joins;
    assert.ok(a && b);
    const res = await h.c.leave({
      groupId: "g",
      members: [
        { memberId: a.memberId, groupInstanceId: null },
        { memberId: "ghost", groupInstanceId: null },
        { memberId: "", groupInstanceId: "nobody" },
        { memberId: b.memberId, groupInstanceId: null, reason: "shutdown" },
      ],
    });
    assert.deepEqual(
      res.members.map((m) => m.errorCode),
      [0, ErrorCode.UNKNOWN_MEMBER_ID, ErrorCode.UNKNOWN_MEMBER_ID, 0],
    );
    const [d] = await h.c.describeGroups(["g"]);
    assert.equal(d?.members.length, 1);
    assert.equal(d?.groupState, "PreparingRebalance");
    // An unknown group: the request succeeds and the member is unknown (Kafka's answer,
    // integration-tests/differential).
    const unknown = await h.c.leave({
      groupId: "nope",
      members: [{ memberId: "x", groupInstanceId: null }],
    });
    assert.equal(unknown.errorCode, ErrorCode.NONE);
    assert.equal(unknown.members[0]?.errorCode, ErrorCode.UNKNOWN_MEMBER_ID);
  });

  it("repeated rebalances (the cooperative flow) advance generations and keep assignments per generation", async () => {
    const h = await setup();
    const { joins } = await formGroup(h, 2);
    let current = joins;
    const late = h.c.join(joinInput({ clientId: "third" }));
    const second = await Promise.all([
      ...current.map((j) => h.c.join(joinInput({ memberId: j.memberId }))),
      late,
    ]);
    for (const j of second) assert.equal(j.generationId, 2);
    const syncs2 = await syncAll(h, second);
    for (const s of syncs2) assert.equal(s.errorCode, ErrorCode.NONE);
    // The leader revoked partitions: everyone rejoins once more, without anyone new.
    current = second;
    const third = await Promise.all(
      current.map((j) => h.c.join(joinInput({ memberId: j.memberId }))),
    );
    for (const j of third) assert.equal(j.generationId, 3);
    const syncs3 = await syncAll(h, third);
    third.forEach((j, i) => {
      assert.deepEqual(syncs3[i]?.assignment, assignmentFor(j.memberId));
    });
    const [d] = await h.c.describeGroups(["g"]);
    assert.equal(d?.groupState, "Stable");
    assert.equal(d?.members.length, 3);
  });

  it("a follower rejoining a Stable group unchanged gets the current generation without a rebalance", async () => {
    const h = await setup();
    const { joins } = await formGroup(h, 2);
    const follower = joins.find((j) => j.memberId !== j.leader);
    assert.ok(follower);
    const again = await h.c.join(joinInput({ memberId: follower.memberId, clientId: "c1" }));
    assert.equal(again.generationId, 1);
    const [d] = await h.c.describeGroups(["g"]);
    assert.equal(d?.groupState, "Stable");
  });
});

describe("static membership (KIP-345)", () => {
  const staticJoin = (i: number) => ({
    groupInstanceId: `instance-${i}`,
    sessionTimeoutMs: 30_000,
  });

  it("a restarted static member takes over without a rebalance and fences the old member id", async () => {
    const h = await setup();
    const { joins, leader } = await formGroup(h, 2, staticJoin);
    const follower = joins.find((j) => j.memberId !== leader);
    assert.ok(follower);
    const followerInstance = joins.indexOf(follower);
    const back = await h.c.join(
      joinInput({ clientId: `c${followerInstance}`, ...staticJoin(followerInstance) }),
    );
    assert.equal(back.errorCode, ErrorCode.NONE);
    assert.notEqual(back.memberId, follower.memberId);
    assert.equal(back.generationId, 1, "no new generation");
    assert.equal(back.skipAssignment, false);
    const [d] = await h.c.describeGroups(["g"]);
    assert.equal(d?.groupState, "Stable");
    const sync = await h.c.sync({
      groupId: "g",
      generationId: 1,
      memberId: back.memberId,
      groupInstanceId: `instance-${followerInstance}`,
      protocolType: "consumer",
      protocolName: "range",
      assignments: [],
    });
    assert.deepEqual(sync.assignment, assignmentFor(follower.memberId), "keeps its assignment");
    const old = await h.c.heartbeat({
      groupId: "g",
      generationId: 1,
      memberId: follower.memberId,
      groupInstanceId: `instance-${followerInstance}`,
    });
    assert.equal(old.errorCode, ErrorCode.FENCED_INSTANCE_ID);
    const oldCommit = await h.c.commitOffsets({
      groupId: "g",
      generationId: 1,
      memberId: follower.memberId,
      groupInstanceId: `instance-${followerInstance}`,
      retentionTimeMs: -1,
      offsets: [{ topic: "t", partition: 0, offset: 1n, leaderEpoch: -1, metadata: null }],
    });
    assert.equal(oldCommit.partitions[0]?.errorCode, ErrorCode.FENCED_INSTANCE_ID);
  });

  it("a restarted static leader gets the members with skipAssignment", async () => {
    const h = await setup();
    const { joins, leader } = await formGroup(h, 2, staticJoin);
    const idx = joins.findIndex((j) => j.memberId === leader);
    const back = await h.c.join(joinInput({ clientId: `c${idx}`, ...staticJoin(idx) }));
    assert.equal(back.leader, back.memberId);
    assert.equal(back.skipAssignment, true);
    assert.equal(back.members.length, 2);
    assert.equal(back.generationId, 1);
  });

  it("a restarted static member with other subscription bytes but the same protocol is not a rebalance", async () => {
    // The Java client puts its generation in its subscription: -1 after a restart, the
    // last generation before. Kafka compares only the protocol the group would select.
    const h = await setup();
    const { joins, leader } = await formGroup(h, 2, staticJoin);
    const idx = joins.findIndex((j) => j.memberId !== leader);
    const back = await h.c.join(
      joinInput({
        clientId: `c${idx}`,
        ...staticJoin(idx),
        protocols: [{ name: "range", metadata: subscription(["t"], "generation -1") }],
      }),
    );
    assert.equal(back.errorCode, ErrorCode.NONE);
    assert.equal(back.generationId, 1, "no new generation");
    const [d] = await h.c.describeGroups(["g"]);
    assert.equal(d?.groupState, "Stable");
  });

  it("a duplicate instance that changes the selected protocol replaces the member through a rebalance", async () => {
    const h = await setup();
    const both = [
      { name: "range", metadata: subscription(["t"]) },
      { name: "roundrobin", metadata: subscription(["t"]) },
    ];
    const { joins } = await formGroup(h, 2, (i) => ({ ...staticJoin(i), protocols: both }));
    const [a, b] = joins;
    assert.ok(a && b);
    assert.equal(a.protocolName, "range");
    const dup = h.c.join(
      joinInput({
        ...staticJoin(1),
        protocols: [{ name: "roundrobin", metadata: subscription(["t"]) }],
      }),
    );
    assert.equal(await isPending(h.c, dup), true);
    const joinedAgain = await h.c.join(
      joinInput({ memberId: a.memberId, ...staticJoin(0), protocols: both }),
    );
    const d = await dup;
    assert.equal(d.generationId, 2);
    assert.equal(joinedAgain.generationId, 2);
    const fenced = await h.c.join(
      joinInput({ memberId: b.memberId, ...staticJoin(1), protocols: both }),
    );
    assert.equal(fenced.errorCode, ErrorCode.FENCED_INSTANCE_ID);
  });

  it("a static member leaves by instance id", async () => {
    const h = await setup();
    await formGroup(h, 1, staticJoin);
    const res = await h.c.leave({
      groupId: "g",
      members: [{ memberId: "", groupInstanceId: "instance-0" }],
    });
    assert.equal(res.members[0]?.errorCode, ErrorCode.NONE);
    const [d] = await h.c.describeGroups(["g"]);
    assert.equal(d?.groupState, "Empty");
  });
});
