import assert from "node:assert/strict";
import { describe, it } from "node:test";
import { ErrorCode } from "@logbook/protocol";
import { memoryLogger, silentLogger } from "@logbook/storage";
import { GroupCoordinator } from "../src/group-coordinator.js";
import { MemoryRecordLog } from "../src/record-log.js";
import type { ShareHeartbeatInput, ShareTopicsView } from "../src/share/share-api.js";
import type { ShareGroupConfig } from "../src/share/share-config.js";
import { ShareGroupCoordinator } from "../src/share/share-coordinator.js";
import type { ShareTopic } from "../src/share/simple-assignor.js";
import { FakeClock } from "./helpers.js";

class Topics implements ShareTopicsView {
  readonly map = new Map<string, ShareTopic>([
    ["t", { topicId: Buffer.alloc(16, 7), partitions: 2 }],
  ]);
  topic(name: string): ShareTopic | undefined {
    return this.map.get(name);
  }
}

async function setup(
  config: Partial<ShareGroupConfig> = {},
  log = new MemoryRecordLog(),
  clock = new FakeClock(),
  topics = new Topics(),
): Promise<{ c: ShareGroupCoordinator; log: MemoryRecordLog; clock: FakeClock; topics: Topics }> {
  const c = await ShareGroupCoordinator.open({ log, topics, logger: silentLogger, clock, config });
  clock.settle = () => c.idle();
  return { c, log, clock, topics };
}

function hb(overrides: Partial<ShareHeartbeatInput> = {}): ShareHeartbeatInput {
  return {
    groupId: "sg",
    memberId: "m1",
    memberEpoch: 0,
    rackId: null,
    subscribedTopicNames: ["t"],
    clientId: "client",
    clientHost: "/127.0.0.1",
    foreignGroup: false,
    ...overrides,
  };
}

const partitionsOf = (r: { assignment: readonly { partitions: readonly number[] }[] | null }) =>
  r.assignment?.flatMap((t) => t.partitions) ?? null;

describe("share-group membership", () => {
  it("a join creates the group at epoch 1 and hands the member every partition", async () => {
    const { c } = await setup();
    const r = await c.heartbeat(hb());
    assert.equal(r.errorCode, ErrorCode.NONE);
    assert.equal(r.memberId, "m1");
    assert.equal(r.memberEpoch, 1);
    assert.equal(r.heartbeatIntervalMs, 5000);
    assert.deepEqual(partitionsOf(r), [0, 1]);
    assert.equal(c.checkMember("sg", "m1"), ErrorCode.NONE);
    assert.deepEqual(c.assignment("sg", "m1"), new Map([["t", [0, 1]]]));
    assert.ok(c.isShareGroup("sg"));
    assert.deepEqual(c.shareGroupIds(), ["sg"]);
  });

  it("a second member bumps the group epoch; the first takes its new share at its next heartbeat", async () => {
    const { c } = await setup();
    await c.heartbeat(hb());
    const second = await c.heartbeat(hb({ memberId: "m2" }));
    assert.equal(second.memberEpoch, 2);
    assert.equal(partitionsOf(second)?.length, 1);
    const first = await c.heartbeat(hb({ memberEpoch: 1, subscribedTopicNames: null }));
    assert.equal(first.memberEpoch, 2);
    assert.equal(partitionsOf(first)?.length, 1, "the changed assignment is sent");
    const again = await c.heartbeat(hb({ memberEpoch: 2, subscribedTopicNames: null }));
    assert.equal(again.assignment, null, "an unchanged assignment is not repeated");
    const [d] = await c.describe(["sg"]);
    assert.equal(d?.groupState, "Stable");
    assert.equal(d?.groupEpoch, 2);
    assert.equal(d?.assignmentEpoch, 2);
    assert.equal(d?.assignorName, "simple");
    assert.equal(d?.members.length, 2);
  });

  it("answers Kafka's errors", async () => {
    const { c } = await setup({ maxSize: 2 });
    const code = async (i: Partial<ShareHeartbeatInput>) => (await c.heartbeat(hb(i))).errorCode;
    assert.equal(await code({ memberId: "" }), ErrorCode.INVALID_REQUEST);
    assert.equal(await code({ groupId: " " }), ErrorCode.INVALID_REQUEST);
    assert.equal(await code({ rackId: "" }), ErrorCode.INVALID_REQUEST);
    assert.equal(await code({ subscribedTopicNames: [] }), ErrorCode.INVALID_REQUEST);
    assert.equal(await code({ memberEpoch: -2 }), ErrorCode.INVALID_REQUEST);
    assert.equal(await code({ memberEpoch: 3 }), ErrorCode.GROUP_ID_NOT_FOUND);
    assert.equal(await code({ foreignGroup: true }), ErrorCode.GROUP_ID_NOT_FOUND);
    assert.equal(await code({}), ErrorCode.NONE);
    assert.equal(await code({ memberId: "m2", memberEpoch: 1 }), ErrorCode.UNKNOWN_MEMBER_ID);
    assert.equal(await code({ memberId: "m2" }), ErrorCode.NONE);
    assert.equal(await code({ memberId: "m3" }), ErrorCode.GROUP_MAX_SIZE_REACHED);
    // Kafka checks the size before the member: a stranger to a full group hears it is full.
    assert.equal(await code({ memberId: "m3", memberEpoch: 1 }), ErrorCode.GROUP_MAX_SIZE_REACHED);
    assert.equal(await code({ memberEpoch: 5 }), ErrorCode.FENCED_MEMBER_EPOCH);
    assert.equal(await code({ memberId: "m3", memberEpoch: -1 }), ErrorCode.UNKNOWN_MEMBER_ID);
    assert.equal(c.checkMember("other", "m1"), ErrorCode.GROUP_ID_NOT_FOUND);
    assert.equal(c.checkMember("sg", "m3"), ErrorCode.UNKNOWN_MEMBER_ID);
  });

  it("a heartbeat with the previous epoch is not fenced (its answer may have been lost)", async () => {
    const { c } = await setup();
    await c.heartbeat(hb());
    await c.heartbeat(hb({ memberId: "m2" }));
    const moved = await c.heartbeat(hb({ memberEpoch: 1 }));
    assert.equal(moved.memberEpoch, 2);
    const late = await c.heartbeat(hb({ memberEpoch: 1 }));
    assert.equal(late.errorCode, ErrorCode.NONE);
  });

  it("leaving (epoch -1) removes the member and bumps the epoch; the empty group remains", async () => {
    const { c } = await setup();
    await c.heartbeat(hb());
    const r = await c.heartbeat(hb({ memberEpoch: -1 }));
    assert.equal(r.errorCode, ErrorCode.NONE);
    assert.equal(r.memberEpoch, -1);
    const [d] = await c.describe(["sg"]);
    assert.equal(d?.groupState, "Empty");
    assert.equal(d?.groupEpoch, 2);
    assert.deepEqual(await c.list(), [{ groupId: "sg", groupState: "Empty" }]);
    assert.equal(c.assignment("sg", "m1"), null);
  });

  it("a member silent for the session timeout is removed", async () => {
    const { c, clock } = await setup({ sessionTimeoutMs: 1000 });
    await c.heartbeat(hb());
    await clock.advance(900);
    await c.heartbeat(hb({ memberEpoch: 1, subscribedTopicNames: null }));
    await clock.advance(900);
    assert.equal(c.checkMember("sg", "m1"), ErrorCode.NONE, "the heartbeat renewed the session");
    await clock.advance(200);
    assert.equal(c.checkMember("sg", "m1"), ErrorCode.UNKNOWN_MEMBER_ID);
  });

  it("the group epoch, members and assignments come back after a restart", async () => {
    const log = new MemoryRecordLog();
    const before = await setup({}, log);
    await before.c.heartbeat(hb());
    await before.c.heartbeat(hb({ memberId: "m2", rackId: "r1" }));
    const assignment = before.c.assignment("sg", "m2");
    await before.c.close();
    const { c } = await setup({}, log);
    const [d] = await c.describe(["sg"]);
    assert.equal(d?.groupEpoch, 2);
    assert.deepEqual(d?.members.map((m) => [m.memberId, m.memberEpoch, m.rackId]).sort(), [
      ["m1", 1, null],
      ["m2", 2, "r1"],
    ]);
    assert.deepEqual(c.assignment("sg", "m2"), assignment);
    const r = await c.heartbeat(hb({ memberId: "m2", memberEpoch: 2, subscribedTopicNames: null }));
    assert.equal(r.errorCode, ErrorCode.NONE, "the restored member keeps heartbeating");
    assert.equal(r.memberEpoch, 2);
  });

  it("a new partition of a subscribed topic bumps the epoch and is assigned", async () => {
    const { c, topics } = await setup();
    await c.heartbeat(hb());
    topics.map.set("t", { topicId: Buffer.alloc(16, 7), partitions: 3 });
    const r = await c.heartbeat(hb({ memberEpoch: 1, subscribedTopicNames: null }));
    assert.equal(r.memberEpoch, 2);
    assert.deepEqual(partitionsOf(r), [0, 1, 2]);
  });

  it("deletes only empty share groups", async () => {
    const { c } = await setup();
    await c.heartbeat(hb());
    await c.heartbeat(hb({ groupId: "empty" }));
    await c.heartbeat(hb({ groupId: "empty", memberEpoch: -1 }));
    const r = await c.deleteGroups(["sg", "empty", "nope"]);
    assert.deepEqual(
      r.map((x) => x.errorCode),
      [ErrorCode.NON_EMPTY_GROUP, ErrorCode.NONE, ErrorCode.GROUP_ID_NOT_FOUND],
    );
    assert.equal(c.isShareGroup("empty"), false);
    const [d] = await c.describe(["empty"]);
    assert.equal(d?.errorCode, ErrorCode.GROUP_ID_NOT_FOUND);
  });

  it("shares one log with the classic coordinator: each replays only its own records, silently", async () => {
    const log = new MemoryRecordLog();
    const clock = new FakeClock();
    const classic = await GroupCoordinator.open({ log, logger: silentLogger, clock });
    await classic.commitOffsets({
      groupId: "classic",
      generationId: -1,
      memberId: "",
      groupInstanceId: null,
      retentionTimeMs: -1,
      offsets: [{ topic: "t", partition: 0, offset: 5n, leaderEpoch: -1, metadata: null }],
    });
    const share = await setup({}, log, clock);
    await share.c.heartbeat(hb());
    await classic.close();
    await share.c.close();
    const logger = memoryLogger();
    const classic2 = await GroupCoordinator.open({ log, logger, clock });
    const share2 = await ShareGroupCoordinator.open({ log, topics: new Topics(), logger, clock });
    assert.deepEqual([...classic2.groups.keys()], ["classic"]);
    assert.deepEqual(share2.shareGroupIds(), ["sg"]);
    assert.deepEqual(
      logger.events.filter((e) => e.level === "warn"),
      [],
      "no record was unknown to either",
    );
    await classic2.close();
    await share2.close();
  });
});
