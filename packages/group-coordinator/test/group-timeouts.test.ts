/**
 * Per-group timeouts (the consumer.* / share.* group configs the broker passes in as
 * `groupTimeouts`): a group with its own session timeout expires its members at that
 * time and its members are told its heartbeat interval; other groups keep the config's.
 */
import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ErrorCode } from "@logbook/protocol";
import { silentLogger } from "@logbook/storage";
import { GroupCoordinator } from "../src/group-coordinator.js";
import type { GroupTimeoutsOf } from "../src/group-timeouts.js";
import { MemoryRecordLog } from "../src/record-log.js";
import type { ShareHeartbeatInput } from "../src/share/share-api.js";
import { ShareGroupCoordinator } from "../src/share/share-coordinator.js";
import { hb, TestTopics } from "./consumer-helpers.js";
import { FakeClock } from "./fake-clock.js";

/** Group "own" has its own timeouts; every other group has the config's (45 s / 5 s). */
const OWN: GroupTimeoutsOf = (groupId) =>
  groupId === "own"
    ? { sessionTimeoutMs: 2000, heartbeatIntervalMs: 700 }
    : { sessionTimeoutMs: 45_000, heartbeatIntervalMs: 5000 };

async function consumerCoordinator(log = new MemoryRecordLog(), clock = new FakeClock()) {
  const topics = new TestTopics();
  topics.set("t", 2);
  const c = await GroupCoordinator.open({
    log,
    logger: silentLogger,
    clock,
    topics,
    config: { consumerSessionTimeoutMs: 45_000, consumerHeartbeatIntervalMs: 5000 },
    groupTimeouts: OWN,
  });
  clock.settle = () => c.idle();
  return { c, clock };
}

const members = async (c: GroupCoordinator, group: string) =>
  (await c.consumerGroupDescribe([group]))[0]?.members.map((m) => m.memberId) ?? [];

describe("consumer groups with their own timeouts", () => {
  it("answer the group's heartbeat interval and expire its members at its session timeout", async () => {
    const { c, clock } = await consumerCoordinator();
    const own = await c.consumerHeartbeat(hb({ groupId: "own", memberId: "a" }));
    const plain = await c.consumerHeartbeat(hb({ groupId: "plain", memberId: "b" }));
    assert.equal(own.heartbeatIntervalMs, 700);
    assert.equal(plain.heartbeatIntervalMs, 5000);
    await clock.advance(1900);
    assert.deepEqual(await members(c, "own"), ["a"]);
    await clock.advance(200);
    assert.deepEqual(await members(c, "own"), [], "gone after its group's 2 s session");
    assert.deepEqual(await members(c, "plain"), ["b"], "the other group keeps 45 s");
  });

  it("re-arm a stored member's session with the group's timeout after a restart", async () => {
    const log = new MemoryRecordLog();
    const before = await consumerCoordinator(log);
    await before.c.consumerHeartbeat(hb({ groupId: "own", memberId: "a" }));
    await before.c.close();
    const { c, clock } = await consumerCoordinator(log);
    assert.deepEqual(await members(c, "own"), ["a"]);
    await clock.advance(2100);
    assert.deepEqual(await members(c, "own"), []);
  });
});

function shareHb(groupId: string, memberId: string): ShareHeartbeatInput {
  return {
    groupId,
    memberId,
    memberEpoch: 0,
    rackId: null,
    subscribedTopicNames: ["t"],
    clientId: "client",
    clientHost: "/127.0.0.1",
    foreignGroup: false,
  };
}

describe("share groups with their own timeouts", () => {
  it("answer the group's heartbeat interval and expire its members at its session timeout", async () => {
    const clock = new FakeClock();
    const c = await ShareGroupCoordinator.open({
      log: new MemoryRecordLog(),
      topics: { topic: () => ({ topicId: Buffer.alloc(16, 7), partitions: 2 }) },
      logger: silentLogger,
      clock,
      config: { sessionTimeoutMs: 45_000, heartbeatIntervalMs: 5000 },
      groupTimeouts: OWN,
    });
    clock.settle = () => c.idle();
    const own = await c.heartbeat(shareHb("own", "a"));
    const plain = await c.heartbeat(shareHb("plain", "b"));
    assert.equal(own.heartbeatIntervalMs, 700);
    assert.equal(plain.heartbeatIntervalMs, 5000);
    await clock.advance(1900);
    assert.equal(c.checkMember("own", "a"), ErrorCode.NONE);
    await clock.advance(200);
    assert.equal(c.checkMember("own", "a"), ErrorCode.UNKNOWN_MEMBER_ID);
    assert.equal(c.checkMember("plain", "b"), ErrorCode.NONE);
  });
});
