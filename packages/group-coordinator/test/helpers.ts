import assert from "node:assert/strict";
import { silentLogger } from "@logbook/storage";
import type { CoordinatorConfig } from "../src/config.js";
import type { JoinGroupInput, JoinGroupResult, SyncGroupResult } from "../src/coordinator-api.js";
import { GroupCoordinator } from "../src/group-coordinator.js";
import { MemoryRecordLog, type RecordLog } from "../src/record-log.js";
import { FakeClock } from "./fake-clock.js";

export { FakeClock };

export interface Harness {
  c: GroupCoordinator;
  log: MemoryRecordLog;
  clock: FakeClock;
}

export async function setup(
  config: Partial<CoordinatorConfig> = {},
  log: MemoryRecordLog = new MemoryRecordLog(),
  clock: FakeClock = new FakeClock(),
): Promise<Harness> {
  const c = await GroupCoordinator.open({
    log: log as RecordLog,
    logger: silentLogger,
    clock,
    config: { initialRebalanceDelayMs: 0, ...config },
  });
  clock.settle = () => c.idle();
  return { c, log, clock };
}

/** ConsumerProtocolSubscription v0 bytes for these topics (null user data). */
export function subscription(topics: string[], userData = ""): Buffer {
  const parts: Buffer[] = [Buffer.from([0, 0])];
  const count = Buffer.alloc(4);
  count.writeInt32BE(topics.length);
  parts.push(count);
  for (const t of topics) {
    const len = Buffer.alloc(2);
    len.writeInt16BE(Buffer.byteLength(t));
    parts.push(len, Buffer.from(t));
  }
  const ud = Buffer.from(userData);
  const udLen = Buffer.alloc(4);
  udLen.writeInt32BE(ud.length);
  parts.push(udLen, ud);
  return Buffer.concat(parts);
}

export function joinInput(overrides: Partial<JoinGroupInput> = {}): JoinGroupInput {
  return {
    groupId: "g",
    memberId: "",
    groupInstanceId: null,
    clientId: "client",
    clientHost: "/127.0.0.1",
    sessionTimeoutMs: 10_000,
    rebalanceTimeoutMs: 30_000,
    protocolType: "consumer",
    protocols: [{ name: "range", metadata: subscription(["t"]) }],
    requireKnownMemberId: false,
    ...overrides,
  };
}

/** Whether a promise is still pending after the coordinator settled. */
export async function isPending(c: GroupCoordinator, p: Promise<unknown>): Promise<boolean> {
  let done = false;
  p.then(
    () => {
      done = true;
    },
    () => {
      done = true;
    },
  );
  await c.idle();
  await new Promise((r) => setImmediate(r));
  return !done;
}

export function assignmentFor(memberId: string): Buffer {
  return Buffer.from(`assignment-of-${memberId}`);
}

/** n members join together (same generation), then all sync; the leader assigns everyone. */
export async function formGroup(
  h: Harness,
  n: number,
  overrides: (i: number) => Partial<JoinGroupInput> = () => ({}),
): Promise<{ joins: JoinGroupResult[]; syncs: SyncGroupResult[]; leader: string }> {
  const joins = await Promise.all(
    Array.from({ length: n }, (_, i) =>
      h.c.join(joinInput({ clientId: `c${i}`, ...overrides(i) })),
    ),
  );
  for (const j of joins) assert.equal(j.errorCode, 0);
  const syncs = await syncAll(h, joins);
  const leader = joins[0]?.leader ?? "";
  return { joins, syncs, leader };
}

/** Everyone syncs; the leader assigns `assignmentFor(member)` to every member. */
export function syncAll(
  h: Harness,
  joins: JoinGroupResult[],
  groupId = "g",
): Promise<SyncGroupResult[]> {
  return Promise.all(
    joins.map((j) =>
      h.c.sync({
        groupId,
        generationId: j.generationId,
        memberId: j.memberId,
        groupInstanceId: null,
        protocolType: j.protocolType,
        protocolName: j.protocolName,
        assignments:
          j.memberId === j.leader
            ? j.members.map((m) => ({
                memberId: m.memberId,
                assignment: assignmentFor(m.memberId),
              }))
            : [],
      }),
    ),
  );
}

/** The durable state of every group (what replay rebuilds), comparable with deepEqual. */
export function durableSnapshot(c: GroupCoordinator): unknown {
  return [...c.groups.values()]
    .map((g) => ({
      groupId: g.groupId,
      hasMetadata: g.hasMetadata,
      generationId: g.generationId,
      protocolType: g.protocolType,
      protocolName: g.protocolName,
      leaderId: g.leaderId,
      storedMembers: g.storedMembers.map((m) => ({
        memberId: m.memberId,
        groupInstanceId: m.groupInstanceId,
        subscription: m.subscription.toString("hex"),
        assignment: m.assignment.toString("hex"),
      })),
      offsets: [...g.offsets.values()]
        .map((o) => ({
          topic: o.topic,
          partition: o.partition,
          offset: o.offset.toString(),
          leaderEpoch: o.leaderEpoch,
          metadata: o.metadata,
          commitTimestamp: o.commitTimestamp.toString(),
        }))
        .sort((a, b) => a.topic.localeCompare(b.topic) || a.partition - b.partition),
      pendingTxnOffsets: [...g.pendingTxnOffsets]
        .flatMap(([producerId, byPartition]) =>
          [...byPartition.values()].map((o) => ({
            producerId: producerId.toString(),
            producerEpoch: o.producerEpoch,
            topic: o.topic,
            partition: o.partition,
            offset: o.offset.toString(),
            metadata: o.metadata,
          })),
        )
        .sort(
          (a, b) =>
            a.producerId.localeCompare(b.producerId) ||
            a.topic.localeCompare(b.topic) ||
            a.partition - b.partition,
        ),
    }))
    .filter((g) => g.hasMetadata || g.offsets.length > 0 || g.pendingTxnOffsets.length > 0)
    .sort((a, b) => a.groupId.localeCompare(b.groupId));
}
