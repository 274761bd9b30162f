import assert from "node:assert/strict";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, it } from "node:test";
import { ErrorCode } from "@logbook/protocol";
import { openStorageEngine, silentLogger } from "@logbook/storage";
import { openConsumerOffsetsLog } from "../src/consumer-offsets-log.js";
import { GroupCoordinator } from "../src/group-coordinator.js";
import { MemoryRecordLog } from "../src/record-log.js";
import { decodeRecord, encodeRecord } from "../src/records.js";
import {
  assignmentFor,
  durableSnapshot,
  FakeClock,
  formGroup,
  joinInput,
  setup,
} from "./helpers.js";

describe("state by replay", () => {
  it("records round-trip through their encoding", () => {
    const rec = {
      kind: "offset" as const,
      group: "g",
      topic: "t",
      partition: 3,
      value: {
        offset: 9n,
        leaderEpoch: 2,
        metadata: "m",
        commitTimestamp: 5n,
        expireTimestamp: -1n,
        topicId: Buffer.alloc(16),
      },
    };
    assert.deepEqual(decodeRecord(encodeRecord(rec)), rec);
    const tomb = { kind: "group" as const, group: "g", value: null };
    const enc = encodeRecord(tomb);
    assert.equal(enc.key.readInt16BE(0), 2, "group keys are kind 2, offset keys kind 1");
    assert.equal(encodeRecord(rec).key.readInt16BE(0), 1);
    assert.deepEqual(decodeRecord(enc), tomb);
    assert.equal(decodeRecord({ key: Buffer.from([0, 9, 0, 0]), value: null }), undefined);
  });

  it("replaying the log rebuilds identical groups, offsets and live members", async () => {
    const h = await setup();
    const { joins } = await formGroup(h, 3);
    const [a] = joins;
    assert.ok(a);
    await h.c.commitOffsets({
      groupId: "g",
      generationId: 1,
      memberId: a.memberId,
      groupInstanceId: null,
      retentionTimeMs: -1,
      offsets: [
        { topic: "t", partition: 0, offset: 10n, leaderEpoch: 4, metadata: "meta" },
        { topic: "t", partition: 1, offset: 11n, leaderEpoch: -1, metadata: null },
        { topic: "u", partition: 0, offset: 1n, leaderEpoch: -1, metadata: null },
      ],
    });
    await h.c.deleteOffsets("g", [{ topic: "u", partition: 0 }]);
    for (const g of ["s1", "s2"]) {
      await h.c.commitOffsets({
        groupId: g,
        generationId: -1,
        memberId: "",
        groupInstanceId: null,
        retentionTimeMs: -1,
        offsets: [{ topic: "t", partition: 0, offset: 3n, leaderEpoch: -1, metadata: g }],
      });
    }
    await h.c.deleteGroups(["s2"]);
    await h.c.join(joinInput({ groupId: "other" }));
    const before = durableSnapshot(h.c);
    assert.ok(Array.isArray(before) && before.length === 3);

    const clock = new FakeClock();
    const rebuilt = await GroupCoordinator.open({
      log: h.log,
      logger: silentLogger,
      clock,
      config: { initialRebalanceDelayMs: 0 },
    });
    clock.settle = () => rebuilt.idle();
    assert.deepEqual(durableSnapshot(rebuilt), before);
    // The stored members come back (Kafka's loadGroup): Stable, same ids and assignments.
    const [g] = await rebuilt.describeGroups(["g"]);
    assert.equal(g?.groupState, "Stable");
    assert.deepEqual(g?.members.map((m) => m.memberId).sort(), joins.map((j) => j.memberId).sort());
    for (const m of g?.members ?? [])
      assert.deepEqual(m.memberAssignment, assignmentFor(m.memberId));
    const f = await rebuilt.fetchOffsets({ groupId: "g", partitions: null, requireStable: false });
    assert.deepEqual(
      f.offsets.map((o) => [o.topic, o.partition, o.offset, o.leaderEpoch, o.metadata]),
      [
        ["t", 0, 10n, 4, "meta"],
        ["t", 1, 11n, -1, ""],
      ],
    );
    // A restored member heartbeats on as if nothing happened.
    const hb = await rebuilt.heartbeat({
      groupId: "g",
      generationId: 1,
      memberId: a.memberId,
      groupInstanceId: null,
    });
    assert.equal(hb.errorCode, ErrorCode.NONE);
    // "other" was stored when its join completed, before any sync: it must rebalance again.
    const [other] = await rebuilt.describeGroups(["other"]);
    assert.equal(other?.groupState, "PreparingRebalance");
    // Members that never come back expire by session timeout; the generation goes on.
    await clock.advance(40_000);
    const [expired] = await rebuilt.describeGroups(["g"]);
    assert.equal(expired?.groupState, "Empty");
    assert.equal(expired?.members.length, 0);
    const old = await rebuilt.join(joinInput({ memberId: a.memberId }));
    assert.equal(old.errorCode, ErrorCode.UNKNOWN_MEMBER_ID);
    const fresh = await rebuilt.join(joinInput());
    assert.equal(fresh.generationId, 3);
    await rebuilt.close();
  });

  it("every record in the log was applied through the same function as replay", async () => {
    const h = await setup();
    await formGroup(h, 2);
    const live = durableSnapshot(h.c);
    const copy = new MemoryRecordLog();
    copy.records.push(...h.log.records);
    const rebuilt = await GroupCoordinator.open({
      log: copy,
      logger: silentLogger,
      clock: new FakeClock(),
      config: { initialRebalanceDelayMs: 0 },
    });
    assert.deepEqual(durableSnapshot(rebuilt), live);
    // join completion and the leader's sync each stored the group.
    assert.equal(h.log.records.length, 2);
  });

  it("committed offsets survive a restart on the disk engine", async () => {
    const dir = await mkdtemp(join(tmpdir(), "logbook-gc-"));
    try {
      const open = async () => {
        const storage = await openStorageEngine(dir, {
          logger: silentLogger,
          maintenanceIntervalMs: 0,
        });
        const log = await openConsumerOffsetsLog(storage, silentLogger);
        const c = await GroupCoordinator.open({
          log,
          logger: silentLogger,
          clock: new FakeClock(),
          config: { initialRebalanceDelayMs: 0 },
        });
        return { storage, c };
      };
      let { storage, c } = await open();
      const j = await c.join(joinInput());
      await c.sync({
        groupId: "g",
        generationId: j.generationId,
        memberId: j.memberId,
        groupInstanceId: null,
        protocolType: "consumer",
        protocolName: "range",
        assignments: [{ memberId: j.memberId, assignment: Buffer.from("a") }],
      });
      for (let i = 0; i < 3; i++) {
        await c.commitOffsets({
          groupId: "g",
          generationId: j.generationId,
          memberId: j.memberId,
          groupInstanceId: null,
          retentionTimeMs: -1,
          offsets: [
            {
              topic: "t",
              partition: 0,
              offset: BigInt(100 + i),
              leaderEpoch: 7,
              metadata: `m${i}`,
            },
          ],
        });
      }
      await c.close();
      await storage.close();

      ({ storage, c } = await open());
      const f = await c.fetchOffsets({
        groupId: "g",
        partitions: [{ topic: "t", partition: 0 }],
        requireStable: true,
      });
      assert.deepEqual(
        f.offsets.map((o) => [o.offset, o.leaderEpoch, o.metadata]),
        [[102n, 7, "m2"]],
      );
      const [d] = await c.describeGroups(["g"]);
      assert.equal(d?.groupState, "Stable");
      assert.equal(d?.protocolType, "consumer");
      assert.deepEqual(
        d?.members.map((m) => m.memberId),
        [j.memberId],
      );
      // The member outlived the restart: its commits with its generation still count.
      const commit = await c.commitOffsets({
        groupId: "g",
        generationId: j.generationId,
        memberId: j.memberId,
        groupInstanceId: null,
        retentionTimeMs: -1,
        offsets: [{ topic: "t", partition: 0, offset: 103n, leaderEpoch: 7, metadata: null }],
      });
      assert.deepEqual(
        commit.partitions.map((p) => p.errorCode),
        [ErrorCode.NONE],
      );
      const again = await c.join(joinInput({ memberId: j.memberId }));
      assert.equal(again.generationId, j.generationId + 1, "the generation survives too");
      await c.close();
      await storage.close();
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it("a static member restarting after a broker restart takes over without a rebalance", async () => {
    const h = await setup();
    const { joins } = await formGroup(h, 2, (i) => ({ groupInstanceId: `instance-${i}` }));
    const copy = new MemoryRecordLog();
    copy.records.push(...h.log.records);
    const clock = new FakeClock();
    const rebuilt = await GroupCoordinator.open({
      log: copy,
      logger: silentLogger,
      clock,
      config: { initialRebalanceDelayMs: 0 },
    });
    clock.settle = () => rebuilt.idle();
    const back = await rebuilt.join(joinInput({ clientId: "c0", groupInstanceId: "instance-0" }));
    assert.equal(back.errorCode, ErrorCode.NONE);
    assert.equal(back.generationId, joins[0]?.generationId, "no new generation");
    assert.notEqual(back.memberId, joins[0]?.memberId);
    const [g] = await rebuilt.describeGroups(["g"]);
    assert.equal(g?.groupState, "Stable");
    const hb = await rebuilt.heartbeat({
      groupId: "g",
      generationId: back.generationId,
      memberId: joins[0]?.memberId ?? "",
      groupInstanceId: "instance-0",
    });
    assert.equal(hb.errorCode, ErrorCode.FENCED_INSTANCE_ID, "the old id is fenced");
    await rebuilt.close();
  });
});
