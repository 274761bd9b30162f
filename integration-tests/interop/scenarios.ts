/**
 * What every client does in each scenario (the plan, which each driver follows) and the
 * checks run on what the client reports back. Drivers return plain JSON: records as
 * {partition, offset, key, value, headers} with null for a null key or value, so one
 * check serves the in-process kafkajs client and the Python, kcat and Node 22 drivers.
 * Topics are made beforehand with kafkajs's admin (except by the create/delete scenario)
 * so each scenario exercises only what it names. Every check holds for Logbook and for
 * the reference Kafka alike (the wire reads speak plain Kafka protocol to either).
 */
import assert from "node:assert/strict";
import { createHash } from "node:crypto";
import {
  createIncrementalAlterConfigsRequest,
  createIncrementalAlterConfigsRequestAlterableConfig,
  createIncrementalAlterConfigsRequestResource,
  createListGroupsRequest,
  IncrementalAlterConfigsApi,
  ListGroupsApi,
} from "@logbook/protocol";
import type { Kafka } from "kafkajs";
import { waitFor } from "../helpers/groups.js";
import { WireClient } from "../helpers/wire-client.js";
import { fetchAll } from "../helpers/wire-data.js";
import type { TargetBroker, TargetName } from "./targets.js";

export interface ClientRecord {
  partition: number;
  offset: number;
  key: string | null;
  value: string | null;
  headers: Record<string, string>;
}

/** keyed-headers: every key in each of ROUNDS rounds, value "<key>-<round>". */
export const KEYS = ["alpha", "bravo", "charlie", "delta", "echo", "foxtrot", "golf", "hotel"];
export const ROUNDS = 5;
export const KEYED_PARTITIONS = 4;

export const CODECS = ["gzip", "snappy", "lz4", "zstd"] as const;
export type Codec = (typeof CODECS)[number];
const CODEC_IDS: Record<Codec, number> = { gzip: 1, snappy: 2, lz4: 3, zstd: 4 };
/** codec-*: COUNT_PER_CODEC values "<codec>-<i>" with key "k<i % 5>", compressible. */
export const COUNT_PER_CODEC = 20;
export const codecValue = (codec: Codec, i: number) => `${codec}-${i}-${"x".repeat(200)}`;

/** group: GROUP_PARTITIONS partitions, 5 records each per phase, then 1 each to resume. */
export const GROUP_PARTITIONS = 4;
/** The group id each group scenario uses (the drivers use the same). */
export const GROUP_IDS = { group: "g", "group-consumer-protocol": "gc" } as const;

/**
 * share-group: SHARED records "s-<i>" on partition i % SHARE_PARTITIONS, read by two
 * share consumers "a" and "b" of share group SHARE_GROUP that accept each one. A client
 * that can acknowledge explicitly then gets "release-me", "reject-me" and "end" (in that
 * order, partition 0): it releases "release-me" on its first delivery and accepts it on
 * the next, rejects "reject-me", accepts "end", and polls on for SHARE_QUIET_MS once all
 * that is done, so a wrongful redelivery shows up in its report.
 */
export const SHARE_GROUP = "sg";
export const SHARE_PARTITIONS = 2;
export const SHARED = 20;
export const SHARE_QUIET_MS = 2000;

/** offsets-by-time: 10 records "t-<i>" stamped t0 + i s; looking up t0 + 4.5 s gives 5. */
export const TIMESTAMPED = 10;
export const LOOKUP_DELTA_MS = 4500;

/** large-record: one value of LARGE_SIZE bytes, then "after". */
export const LARGE_SIZE = 1_000_000;
export const largeValue = () => "0123456789abcdef".repeat(LARGE_SIZE / 16);
export const sha256 = (s: string) => createHash("sha256").update(s).digest("hex");

/** compacted: these (key, value) pairs in order; null is a tombstone. */
export const COMPACTED: [string, string | null][] = [
  ["k1", "v1"],
  ["k2", "v1"],
  ["k1", "v2"],
  ["k2", null],
  ["k3", "v1"],
];

export async function createTopics(
  kafka: Kafka,
  topics: { topic: string; numPartitions: number; config?: Record<string, string> }[],
) {
  const admin = kafka.admin();
  await admin.connect();
  try {
    await admin.createTopics({
      topics: topics.map((t) => ({
        topic: t.topic,
        numPartitions: t.numPartitions,
        configEntries: Object.entries(t.config ?? {}).map(([name, value]) => ({ name, value })),
      })),
    });
  } finally {
    await admin.disconnect();
  }
}

export interface MetadataResult {
  brokers: { id: number; host: string; port: number }[];
  partitions: { partition: number; leader: number }[];
}

export function checkMetadata(r: MetadataResult, broker: TargetBroker, partitions: number) {
  assert.equal(r.brokers.length, 1, `one broker: ${JSON.stringify(r.brokers)}`);
  const b = r.brokers[0];
  assert.equal(b?.host, "127.0.0.1");
  assert.equal(b?.port, broker.port);
  assert.deepEqual(
    [...r.partitions].sort((x, y) => x.partition - y.partition),
    Array.from({ length: partitions }, (_, partition) => ({ partition, leader: b?.id })),
    "every partition led by the one broker",
  );
}

export interface TopicAdminResult {
  /** Partition count the client saw after creating the topic. */
  partitions: number;
  listedAfterCreate: boolean;
  listedAfterDelete: boolean;
}

/**
 * Kafka's broker applies a deleted topic to its metadata asynchronously (Kafka's Admin
 * client documents that brokers may take a moment to learn of a deletion), so a list
 * right after DeleteTopics may still show the topic. Against Kafka that listing is
 * accepted once the topic is gone from kafkajs's listing within a few seconds; against
 * Logbook, which applies the deletion before answering, it must be gone at once.
 */
export async function checkTopicAdmin(
  r: TopicAdminResult,
  target: TargetName,
  kafka: Kafka,
  topic: string,
) {
  let listedAfterDelete = r.listedAfterDelete;
  if (target === "kafka" && listedAfterDelete) {
    const admin = kafka.admin();
    await admin.connect();
    try {
      await waitFor(
        `${topic} to leave Kafka's metadata after its deletion`,
        async () => !(await admin.listTopics()).includes(topic),
        10_000,
      );
      listedAfterDelete = false;
    } finally {
      await admin.disconnect();
    }
  }
  assert.deepEqual(
    { ...r, listedAfterDelete },
    { partitions: 3, listedAfterCreate: true, listedAfterDelete: false },
  );
}

export function checkKeyed(records: ClientRecord[], src: string) {
  assert.equal(records.length, KEYS.length * ROUNDS, "every record read once");
  const partitionOf = new Map<string, number>();
  const lastRound = new Map<string, number>();
  const byPosition = [...records].sort((a, b) => a.partition - b.partition || a.offset - b.offset);
  for (const r of byPosition) {
    const key = r.key ?? "<null>";
    assert.equal(partitionOf.get(key) ?? r.partition, r.partition, `key ${key} on one partition`);
    partitionOf.set(key, r.partition);
    const round = Number(r.headers.round);
    assert.equal(r.value, `${key}-${round}`);
    assert.equal(r.headers.src, src, "header values round-trip");
    assert.ok(round > (lastRound.get(key) ?? -1), `${key}: round ${round} after the previous`);
    lastRound.set(key, round);
  }
  assert.deepEqual([...partitionOf.keys()].sort(), [...KEYS].sort());
  assert.ok(new Set(partitionOf.values()).size > 1, "keys spread over several partitions");
  // Each partition read in offset order.
  for (let p = 0; p < KEYED_PARTITIONS; p++) {
    const offsets = records.filter((r) => r.partition === p).map((r) => r.offset);
    assert.deepEqual(
      offsets,
      [...offsets].sort((a, b) => a - b),
      `partition ${p} in offset order`,
    );
  }
}

/** The values came back and the broker stored batches compressed with `codec`. */
export async function checkCodec(
  records: ClientRecord[],
  broker: TargetBroker,
  topic: string,
  codec: Codec,
) {
  assert.deepEqual(
    records.map((r) => `${r.key}:${r.value}`),
    Array.from({ length: COUNT_PER_CODEC }, (_, i) => `k${i % 5}:${codecValue(codec, i)}`),
  );
  const { batches } = await fetchAll(broker.port, topic, 0);
  assert.deepEqual(
    [...new Set(batches.map((b) => b.compression))],
    [CODEC_IDS[codec]],
    `batches as stored (codec ids: ${JSON.stringify(CODEC_IDS)})`,
  );
}

export interface GroupResult {
  /** Partitions each member held once both had joined (after the rebalance). */
  assignments: { a: number[]; b: number[] };
  /** Values the first member read alone, before the second joined. */
  firstPhase: string[];
  /** "<member>:<partition>:<value>" read by the two members after the rebalance. */
  secondPhase: string[];
  /** What a new member of the same group read after both closed. */
  resumed: string[];
  /**
   * Set by a driver that saw the partitions move again after the split it recorded (a
   * later rebalance): records then read before their commits landed are read again by
   * the new owner, as at-least-once delivery allows, so only "every record read" holds.
   */
  rebalancedAgain?: boolean;
}

export function checkGroup(r: GroupResult) {
  const expect = (prefix: string, n: number) =>
    Array.from({ length: GROUP_PARTITIONS }, (_, p) =>
      Array.from({ length: n }, (_, i) => `${prefix}-${p}-${i}`),
    )
      .flat()
      .sort();
  assert.deepEqual([...r.firstPhase].sort(), expect("one", 5), "the first member read it all");
  const { a, b } = r.assignments;
  assert.ok(a.length > 0 && b.length > 0, `both members hold partitions: ${JSON.stringify(r)}`);
  assert.deepEqual(
    [...a, ...b].sort(),
    Array.from({ length: GROUP_PARTITIONS }, (_, i) => i),
    "the rebalance split the partitions",
  );
  const second = r.secondPhase.map((s) => s.split(":")[2] ?? "");
  if (r.rebalancedAgain === true) {
    assert.deepEqual(
      [...new Set(second)].sort(),
      expect("two", 5),
      "after the rebalances every record read (the committed first phase not again)",
    );
    assert.deepEqual([...r.resumed].sort(), expect("three", 1), "a new member resumes at commits");
    return;
  }
  assert.deepEqual(
    second.sort(),
    expect("two", 5),
    "after the rebalance every record read once (the committed first phase not again)",
  );
  for (const s of r.secondPhase) {
    const [who, p] = s.split(":");
    assert.ok((who === "a" ? a : b).includes(Number(p)), `${s} read by the partition's owner`);
  }
  assert.deepEqual([...r.resumed].sort(), expect("three", 1), "a new member resumes at commits");
}

export interface ShareResult {
  /** "<member>:<value>" for every delivery, in the order the driver saw them. */
  deliveries: string[];
  /** Whether the driver released and rejected (the client acknowledges explicitly). */
  explicit: boolean;
}

export function checkShare(r: ShareResult) {
  const values = r.deliveries.map((d) => {
    const [member, value] = d.split(":");
    assert.ok(member === "a" || member === "b", `delivered to a member: ${d}`);
    return value ?? "";
  });
  const count = (v: string) => values.filter((x) => x === v).length;
  assert.deepEqual(
    values.filter((v) => v.startsWith("s-")).sort(),
    Array.from({ length: SHARED }, (_, i) => `s-${i}`).sort(),
    `every accepted record delivered once: ${JSON.stringify(r)}`,
  );
  if (!r.explicit) {
    assert.equal(values.length, SHARED, `nothing else delivered: ${JSON.stringify(r)}`);
    return;
  }
  assert.equal(count("release-me"), 2, `a released record comes again: ${JSON.stringify(r)}`);
  assert.equal(count("reject-me"), 1, `a rejected record does not: ${JSON.stringify(r)}`);
  assert.equal(count("end"), 1, `an accepted record does not: ${JSON.stringify(r)}`);
  assert.equal(values.length, SHARED + 4, `nothing else delivered: ${JSON.stringify(r)}`);
}

/**
 * Makes share group `group` start at the earliest offset (the group config
 * share.auto.offset.reset, set with IncrementalAlterConfigs on a GROUP resource): a share
 * group starts at the latest offset by default, which would skip the records produced
 * before its consumers' first fetch.
 */
export async function shareFromEarliest(broker: TargetBroker, group: string): Promise<void> {
  const c = await WireClient.connect(broker.port, broker.host);
  try {
    const r = await c.request(
      IncrementalAlterConfigsApi,
      1,
      createIncrementalAlterConfigsRequest({
        resources: [
          createIncrementalAlterConfigsRequestResource({
            resourceType: 32, // GROUP
            resourceName: group,
            configs: [
              createIncrementalAlterConfigsRequestAlterableConfig({
                name: "share.auto.offset.reset",
                configOperation: 0, // SET
                value: "earliest",
              }),
            ],
          }),
        ],
      }),
    );
    assert.deepEqual(
      r.body.responses.map((x) => [x.errorCode, x.errorMessage]),
      [[0, null]],
      `share.auto.offset.reset=earliest for share group ${group}: ${JSON.stringify(r.body.responses)}`,
    );
  } finally {
    c.close();
  }
}

/**
 * The group's type as ListGroups v5 reports it ("consumer" for a KIP-848 group): a client
 * that finds no KIP-848 support may fall back to the classic protocol on its own (franz-go
 * does), which would pass the group checks without the protocol under test.
 */
export async function checkGroupType(
  broker: TargetBroker,
  groupId: string,
  type: string,
): Promise<void> {
  const c = await WireClient.connect(broker.port, broker.host);
  try {
    const r = await c.request(ListGroupsApi, 5, createListGroupsRequest({}));
    assert.equal(r.body.errorCode, 0);
    const g = r.body.groups.find((x) => x.groupId === groupId);
    assert.equal(
      g?.groupType,
      type,
      `${groupId}'s type (a client that finds no KIP-848 support may fall back to the classic protocol): ${JSON.stringify(r.body.groups)}`,
    );
  } finally {
    c.close();
  }
}

export interface OffsetsByTimeResult {
  offset: number;
  values: string[];
}

export function checkOffsetsByTime(r: OffsetsByTimeResult) {
  assert.equal(
    r.offset,
    Math.ceil(LOOKUP_DELTA_MS / 1000),
    "the first record at or after the time",
  );
  assert.deepEqual(
    r.values,
    Array.from({ length: TIMESTAMPED - r.offset }, (_, i) => `t-${i + r.offset}`),
  );
}

/** 10 values "i-<i>" read back once each, in batches that carry a producer id. */
export async function checkIdempotent(
  records: ClientRecord[],
  broker: TargetBroker,
  topic: string,
) {
  const expected = Array.from({ length: 10 }, (_, i) => `i-${i}`);
  assert.deepEqual(
    records.map((r) => r.value),
    expected,
  );
  const { records: stored, batches } = await fetchAll(broker.port, topic, 0);
  assert.deepEqual(
    stored.map((r) => r.value),
    expected,
    "stored once each",
  );
  assert.ok(
    batches.every((b) => b.producerId >= 0n && b.baseSequence >= 0),
    `idempotent batches: ${JSON.stringify(batches.map((b) => [String(b.producerId), b.baseSequence]))}`,
  );
}

/**
 * transactions: commit "c-0".."c-2", abort "a-0".."a-2" (when the client can abort),
 * commit "c-end"; a read_committed reader sees only the committed ones.
 */
export async function checkTransactions(
  readCommitted: string[],
  broker: TargetBroker,
  topic: string,
  aborted: boolean,
) {
  assert.deepEqual(readCommitted, ["c-0", "c-1", "c-2", "c-end"]);
  const { records, batches } = await fetchAll(broker.port, topic, 0);
  const data = batches.filter((b) => !b.isControl);
  assert.ok(
    data.every((b) => b.isTransactional),
    "data batches are transactional",
  );
  assert.ok(
    batches.some((b) => b.isControl),
    "commit markers written",
  );
  if (aborted)
    assert.ok(
      records.some((r) => r.value?.startsWith("a-")),
      "the aborted records reached the broker (so read_committed really filtered them)",
    );
}

export interface LargeResult {
  sizes: number[];
  sha256: string;
}

export function checkLarge(r: LargeResult) {
  assert.deepEqual(r.sizes, [LARGE_SIZE, "after".length]);
  assert.equal(r.sha256, sha256(largeValue()));
}

export function checkCompacted(records: ClientRecord[]) {
  assert.deepEqual(
    records.map((r) => [r.key, r.value]),
    COMPACTED,
    "the tombstone reads back as a null value (not an empty one)",
  );
}
